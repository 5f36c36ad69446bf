import Foundation
import HDF5
import RecurrentLayers

/// A Keras 3 sharded weights set (`x.weights.json` + `x_0000N.weights.h5`): variable groups looked up in
/// the shards the `weight_map` names for them; a group may be split across several.
struct ShardedWeights {
    let path: String
    let weightMap: [String: [String]]
    private let shards: [String: HDF5File]

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KerasFormatError(.fileNotFound, file: path, reason: "no such file")
        }
        let json = try KerasModel.parseJSON([UInt8](data), file: path)
        guard let map = json["weight_map"]?.objectValue else {
            throw KerasFormatError(.unreadable, file: path, reason: "the sharded weights JSON has no weight_map")
        }
        var weightMap: [String: [String]] = [:]
        for (key, value) in map {
            weightMap[key] = value.arrayValue?.compactMap(\.stringValue) ?? value.stringValue.map { [$0] } ?? []
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        var shards: [String: HDF5File] = [:]
        do {
            for name in Set(weightMap.values.flatMap { $0 }) {
                guard !name.contains("/"), !name.contains("..") else {
                    throw KerasFormatError(
                        .unreadable, file: path, reason: "the shard name '\(name)' points outside the directory")
                }
                shards[name] = try HDF5File(opening: directory.appendingPathComponent(name).path)
            }
        } catch let error as HDF5Error {
            throw KerasFormatError(error)
        }
        self.path = path
        self.weightMap = weightMap
        self.shards = shards
    }

    /// Variables `0..<count` of the group at `path` (`layers/lstm/cell/vars`), from every shard holding some.
    func variables(_ path: String, count: Int, layer: String, limit: Int) throws -> [Tensor] {
        guard let names = weightMap["/" + path], !names.isEmpty else {
            throw KerasFormatError(
                .weightMismatch, file: self.path, layer: layer, slot: "/\(path)",
                reason: "the weight map has no /\(path)")
        }
        var found: [Int: Tensor] = [:]
        do {
            for name in names {
                guard let shard = shards[name], try shard.root.kind(of: path) == .group else { continue }
                let group = try shard.root.group(path)
                for entry in try group.children() where entry.kind == .dataset {
                    guard let index = Int(entry.name) else { continue }
                    found[index] = try WeightReaders.tensor(
                        group.dataset(entry.name), limit: limit, layer: layer, file: self.path)
                }
            }
        } catch let error as HDF5Error {
            throw KerasFormatError(error)
        }
        guard found.count == count, (0..<count).allSatisfy({ found[$0] != nil }) else {
            throw KerasFormatError(
                .weightMismatch, file: self.path, layer: layer, slot: "/\(path)",
                reason:
                    "the shards hold \(found.count) variables of /\(path), the layer expects \(count)"
            )
        }
        return (0..<count).map { found[$0]! }
    }
}
