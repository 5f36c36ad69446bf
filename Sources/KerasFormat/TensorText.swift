import Foundation
import RecurrentLayers

/// Tensors as text for people: NumPy-style nested brackets, six significant digits, long dimensions
/// elided with `...` after the first and before the last three entries.
public enum TensorText {
    /// `tensor` as text, with at most `edge` entries shown at each end of a long dimension.
    public static func format(_ tensor: Tensor, edge: Int = 3) -> String {
        if tensor.shape.isEmpty { return number(tensor.scalars.first ?? 0) }
        return block(tensor.scalars[...], shape: tensor.shape[...], indent: 1, edge: edge)
    }

    /// Every output as `output_<i>: shape [...]` followed by its values.
    public static func outputs(_ tensors: [Tensor]) -> String {
        tensors.enumerated().map { index, tensor in
            "output_\(index): shape [\(tensor.shape.map(String.init).joined(separator: ", "))]\n" + format(tensor)
        }.joined(separator: "\n")
    }

    static func number(_ value: Float) -> String {
        if value == 0 { return "0" }
        return String(format: "%.6g", Double(value))
    }

    static func block(_ values: ArraySlice<Float>, shape: ArraySlice<Int>, indent: Int, edge: Int) -> String {
        let count = shape.first ?? 0
        let inner = shape.dropFirst().reduce(1, *)
        let shown: [Int?] =
            count > 2 * edge ? Array(0..<edge) + [nil] + Array((count - edge)..<count) : Array(0..<count)
        let parts = shown.map { index -> String in
            guard let index else { return "..." }
            let start = values.startIndex + index * inner
            if shape.count == 1 { return number(values[start]) }
            return block(values[start..<(start + inner)], shape: shape.dropFirst(), indent: indent + 1, edge: edge)
        }
        if shape.count == 1 { return "[" + parts.joined(separator: ", ") + "]" }
        return "[" + parts.joined(separator: ",\n" + String(repeating: " ", count: indent)) + "]"
    }
}
