import Foundation
import RecurrentLayers
import ZIPFoundation

/// `.npy` and `.npz` files as `rnnkit run` reads and writes them.
public enum NumPyFiles {
    /// The arrays in a `.npy` (one, keyed `input_0`) or `.npz` (keys as stored, without `.npy`), detected
    /// by content.
    public static func read(path: String) throws -> [(key: String, array: NumPyArray)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KerasFormatError(.fileNotFound, file: path, reason: "no such file")
        }
        let bytes = [UInt8](data)
        if bytes.starts(with: KerasLayout.zipSignature) {
            let archive = try KerasArchive(path: path)
            return try archive.members.map { member in
                let key = member.hasSuffix(".npy") ? String(member.dropLast(4)) : member
                return (key, try NumPyArray.parse(try archive.require(member), name: "\(path)/\(member)"))
            }
        }
        return [("input_0", try NumPyArray.parse(bytes, name: path))]
    }

    /// Writes `.npy` (exactly one tensor) or `.npz` (`output_0`, `output_1`, ...), by the name's ending,
    /// atomically.
    public static func write(_ tensors: [Tensor], to path: String, overwrite: Bool) throws {
        if path.hasSuffix(".npz") {
            try AtomicFile.write(to: path, overwrite: overwrite) { temporary in
                let archive = try Archive(url: URL(fileURLWithPath: temporary), accessMode: .create)
                for (index, tensor) in tensors.enumerated() {
                    let bytes = NumPyArray(tensor: tensor).npyBytes()
                    try archive.addEntry(
                        with: "output_\(index).npy", type: .file, uncompressedSize: Int64(bytes.count),
                        compressionMethod: .none,
                        provider: { position, size in Data(bytes[Int(position)..<(Int(position) + size)]) })
                }
            }
            return
        }
        guard tensors.count == 1 else {
            throw KerasFormatError(
                .cannotWrite, file: path, reason: "the model has \(tensors.count) outputs; write them to a .npz file")
        }
        let bytes = NumPyArray(tensor: tensors[0]).npyBytes()
        try AtomicFile.write(to: path, overwrite: overwrite) { temporary in
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        }
    }
}
