/// A Keras 3 operation node in a Functional graph (KERAS.md C.9): `keras.ops` functions applied to
/// tensors, such as the `NotEqual(tokens, 0)` Keras writes to carry an Embedding's mask to the layers
/// after it. Element-wise, between a tensor and a scalar; truth values are 1 and 0.
public enum ModelOperation: Sendable, Equatable {
    case notEqual(Float)
    case equal(Float)
    case greater(Float)
    case greaterEqual(Float)
    case less(Float)
    case lessEqual(Float)
    case add(Float)
    case subtract(Float)
    case multiply(Float)
    case divide(Float)
    /// A cast: values are already float32, except a cast to bool, which makes them 0 or 1.
    case cast(toBool: Bool)
    /// Logical not of truth values.
    case logicalNot

    /// The Keras 3 class name of the operation (`keras.src.ops.numpy`).
    public var kerasClassName: String {
        switch self {
        case .notEqual: "NotEqual"
        case .equal: "Equal"
        case .greater: "Greater"
        case .greaterEqual: "GreaterEqual"
        case .less: "Less"
        case .lessEqual: "LessEqual"
        case .add: "Add"
        case .subtract: "Subtract"
        case .multiply: "Multiply"
        case .divide: "Divide"
        case .cast: "Cast"
        case .logicalNot: "LogicalNot"
        }
    }

    public func apply(_ x: Tensor) -> Tensor {
        func truth(_ condition: (Float) -> Bool) -> Tensor {
            Tensor(shape: x.shape, scalars: x.scalars.map { condition($0) ? 1 : 0 })
        }
        switch self {
        case .notEqual(let value): return truth { $0 != value }
        case .equal(let value): return truth { $0 == value }
        case .greater(let value): return truth { $0 > value }
        case .greaterEqual(let value): return truth { $0 >= value }
        case .less(let value): return truth { $0 < value }
        case .lessEqual(let value): return truth { $0 <= value }
        case .add(let value): return x + value
        case .subtract(let value): return x + -value
        case .multiply(let value): return Tensor(shape: x.shape, scalars: x.scalars.map { $0 * value })
        case .divide(let value): return Tensor(shape: x.shape, scalars: x.scalars.map { $0 / value })
        case .cast(let toBool): return toBool ? truth { $0 != 0 } : x
        case .logicalNot: return truth { $0 == 0 }
        }
    }
}
