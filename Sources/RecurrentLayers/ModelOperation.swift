/// A Keras 3 operation node in a Functional graph (KERAS.md C.9): `keras.ops` functions applied to
/// tensors, such as the `NotEqual(tokens, 0)` Keras writes to carry an Embedding's mask to the layers
/// after it, and the `LogicalOr`, `ExpandDims`, `Concatenate`, `Any` nodes it writes for the masks of
/// merge layers. Truth values are 1 and 0.
public enum ModelOperation: Sendable, Equatable {
    /// 1 where the tensor differs from the constant, 0 elsewhere (`ops.not_equal(x, c)`).
    case notEqual(Float)
    /// 1 where the tensor equals the constant.
    case equal(Float)
    /// 1 where the tensor is greater than the constant.
    case greater(Float)
    /// 1 where the tensor is greater than or equal to the constant.
    case greaterEqual(Float)
    /// 1 where the tensor is less than the constant.
    case less(Float)
    /// 1 where the tensor is less than or equal to the constant.
    case lessEqual(Float)
    /// The tensor plus the constant.
    case add(Float)
    /// The tensor minus the constant.
    case subtract(Float)
    /// The tensor times the constant.
    case multiply(Float)
    /// The tensor divided by the constant.
    case divide(Float)
    /// The constant minus the tensor, and the constant divided by it (`ops.subtract(2.0, x)`): Keras writes
    /// the constant first.
    case constantMinus(Float)
    /// The constant divided by the tensor.
    case constantOver(Float)
    /// A cast: values are already float32, except a cast to bool, which makes them 0 or 1.
    case cast(toBool: Bool)
    /// Logical not of truth values.
    case logicalNot
    /// Logical or / and of two tensors, broadcast against each other (NumPy's rules).
    case logicalOr
    /// Logical and of two tensors, broadcast against each other.
    case logicalAnd
    /// A new axis of size 1 at `axis` (negative counts from the end of the result).
    case expandDims(axis: Int)
    /// Zeros or ones of the input's shape.
    case zerosLike
    /// Ones of the input's shape.
    case onesLike
    /// Tensors joined along `axis`.
    case concatenate(axis: Int)
    /// Whether any / every value along `axis` is true (non-zero).
    case any(axis: Int, keepDims: Bool)
    /// Whether every value along `axis` is true (non-zero).
    case all(axis: Int, keepDims: Bool)

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
        case .subtract, .constantMinus: "Subtract"
        case .multiply: "Multiply"
        case .divide, .constantOver: "Divide"
        case .cast: "Cast"
        case .logicalNot: "LogicalNot"
        case .logicalOr: "LogicalOr"
        case .logicalAnd: "LogicalAnd"
        case .expandDims: "ExpandDims"
        case .zerosLike: "ZerosLike"
        case .onesLike: "OnesLike"
        case .concatenate: "Concatenate"
        case .any: "Any"
        case .all: "All"
        }
    }

    /// True when Keras passes the constant before the tensor (`Subtract(2.0, x)`).
    public var constantComesFirst: Bool {
        switch self {
        case .constantMinus, .constantOver: true
        default: false
        }
    }

    /// Applies the operation to its tensor arguments (one, or two for logical or / and, or several to
    /// concatenate).
    public func apply(_ inputs: [Tensor]) throws -> Tensor {
        guard let x = inputs.first else {
            throw RecurrentError(.countMismatch, "the operation \(kerasClassName) received no tensor")
        }
        switch self {
        case .logicalOr, .logicalAnd:
            guard inputs.count == 2 else {
                throw RecurrentError(.countMismatch, "\(kerasClassName) takes 2 tensors, received \(inputs.count)")
            }
            let or = self == .logicalOr
            return try Self.broadcast(inputs[0], inputs[1]) { a, b in
                (or ? (a != 0 || b != 0) : (a != 0 && b != 0)) ? 1 : 0
            }
        case .expandDims(let axis):
            let position = axis < 0 ? axis + x.rank + 1 : axis
            guard position >= 0, position <= x.rank else {
                throw RecurrentError(.invalidArgument, "ExpandDims axis \(axis) for a tensor of rank \(x.rank)")
            }
            var shape = x.shape
            shape.insert(1, at: position)
            return x.reshaped(shape)
        case .concatenate(let axis):
            return try Concatenate(axis: axis, name: "concatenate").call(inputs, masks: [], training: false)
        case .any(let axis, let keepDims), .all(let axis, let keepDims):
            let position = axis < 0 ? axis + x.rank : axis
            guard position >= 0, position < x.rank else {
                throw RecurrentError(.invalidArgument, "\(kerasClassName) axis \(axis) for a tensor of rank \(x.rank)")
            }
            let size = x.shape[position]
            let inner = x.shape[(position + 1)...].reduce(1, *)
            let outer = x.count / max(size * inner, 1)
            var values = [Float](repeating: 0, count: outer * inner)
            let isAny: Bool
            if case .any = self { isAny = true } else { isAny = false }
            for o in 0..<outer {
                for i in 0..<inner {
                    var result = !isAny
                    for a in 0..<size {
                        let truth = x.scalars[(o * size + a) * inner + i] != 0
                        result = isAny ? (result || truth) : (result && truth)
                    }
                    values[o * inner + i] = result ? 1 : 0
                }
            }
            var shape = x.shape
            if keepDims { shape[position] = 1 } else { shape.remove(at: position) }
            return Tensor(shape: shape, scalars: values)
        default:
            return elementwise(x)
        }
    }

    /// The output shape for the arguments' shapes.
    public func outputShape(_ shapes: [[Int?]]) -> [Int?] {
        let first = shapes.first ?? []
        switch self {
        case .logicalOr, .logicalAnd:
            guard shapes.count == 2 else { return first }
            let (a, b) = (shapes[0], shapes[1])
            let rank = max(a.count, b.count)
            let left = [Int?](repeating: 1, count: rank - a.count) + a
            let right = [Int?](repeating: 1, count: rank - b.count) + b
            return zip(left, right).map { l, r in l == 1 ? r : (r == 1 ? l : (l ?? r)) }
        case .expandDims(let axis):
            var shape = first
            let position = axis < 0 ? axis + first.count + 1 : axis
            shape.insert(1, at: min(max(position, 0), shape.count))
            return shape
        case .concatenate(let axis):
            return Concatenate(axis: axis, name: "concatenate").outputShape(inputShapes: shapes)
        case .any(let axis, let keepDims), .all(let axis, let keepDims):
            var shape = first
            let position = axis < 0 ? axis + first.count : axis
            guard position >= 0, position < shape.count else { return shape }
            if keepDims { shape[position] = 1 } else { shape.remove(at: position) }
            return shape
        default:
            return first
        }
    }

    /// `op(a, b)` element-wise with NumPy broadcasting.
    static func broadcast(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) throws -> Tensor {
        let rank = max(a.rank, b.rank)
        let left = [Int](repeating: 1, count: rank - a.rank) + a.shape
        let right = [Int](repeating: 1, count: rank - b.rank) + b.shape
        var shape: [Int] = []
        for (l, r) in zip(left, right) {
            guard l == r || l == 1 || r == 1 else {
                throw RecurrentError(.shapeMismatch, "shapes \(a.shape) and \(b.shape) do not broadcast")
            }
            shape.append(max(l, r))
        }
        func strides(_ dims: [Int]) -> [Int] {
            var result = [Int](repeating: 0, count: rank)
            var step = 1
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                result[axis] = dims[axis] == 1 ? 0 : step
                step *= dims[axis]
            }
            return result
        }
        let (leftStrides, rightStrides) = (strides(left), strides(right))
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: rank)
        for i in 0..<count {
            var (l, r) = (0, 0)
            for axis in 0..<rank {
                l += index[axis] * leftStrides[axis]
                r += index[axis] * rightStrides[axis]
            }
            values[i] = op(a.scalars[l], b.scalars[r])
            Tensor.advance(&index, within: shape)
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// The one-tensor operations, element by element.
    private func elementwise(_ x: Tensor) -> Tensor {
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
        case .constantMinus(let value): return Tensor(shape: x.shape, scalars: x.scalars.map { value - $0 })
        case .constantOver(let value): return Tensor(shape: x.shape, scalars: x.scalars.map { value / $0 })
        case .cast(let toBool): return toBool ? truth { $0 != 0 } : x
        case .logicalNot: return truth { $0 == 0 }
        case .zerosLike: return .zeros(x.shape)
        case .onesLike: return Tensor(repeating: 1, shape: x.shape)
        case .logicalOr, .logicalAnd, .expandDims, .concatenate, .any, .all:
            preconditionFailure("\(kerasClassName) is applied by apply(_:), not element by element")
        }
    }
}
