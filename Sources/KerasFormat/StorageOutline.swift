import Foundation
import HDF5
import RecurrentLayers

/// What a Keras file holds at the storage level: its layout, the Keras version and backend that wrote it,
/// and every weight dataset with its shape and type. The model-level view (layers, configs, slots) is
/// built on top of this by the readers.
public struct StorageOutline: Sendable {
    /// One weight dataset.
    public struct Dataset: Sendable, Equatable, Codable {
        /// Its path inside the HDF5 file (for a `.keras` archive, inside `model.weights.h5`).
        public var path: String
        /// `[in, out]` for a kernel, `[]` for a scalar.
        public var shape: [Int]
        /// NumPy's spelling: `<f4`, `<i8`, ...
        public var dtype: String
    }

    /// The file's path.
    public var file: String
    /// Its layout.
    public var layout: KerasLayout
    /// The `keras_version` attribute (or `metadata.json`'s), when the file records one.
    public var kerasVersion: String?
    /// The `backend` attribute, when the file records one.
    public var backend: String?
    /// Every dataset, in the order the HDF5 tree lists them.
    public var datasets: [Dataset]
    /// For an archive, its members; empty otherwise.
    public var archiveMembers: [String]

    /// Reads the outline of the file at `path`.
    /// - Throws: `KerasFormatError`.
    public static func read(path: String) throws -> StorageOutline {
        let layout = try KerasLayout.detect(path: path)
        do {
            if layout == .kerasArchive { return try readArchive(path: path) }
            if layout == .shardedWeights {
                let shards = try ShardedWeights(path: path)
                var datasets: [Dataset] = []
                let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
                for name in Set(shards.weightMap.values.flatMap { $0 }).sorted() {
                    let file = try HDF5File(opening: directory.appendingPathComponent(name).path)
                    datasets += try outline(of: file, path: path, layout: layout).datasets.map {
                        Dataset(path: "\(name):\($0.path)", shape: $0.shape, dtype: $0.dtype)
                    }
                }
                return StorageOutline(file: path, layout: layout, datasets: datasets, archiveMembers: [])
            }
            let file = try HDF5File(opening: path)
            defer { file.close() }
            var outline = try outline(of: file, path: path, layout: layout)
            outline.kerasVersion =
                try file.root.hasAttribute("keras_version") ? file.root.readString("keras_version") : nil
            outline.backend = try file.root.hasAttribute("backend") ? file.root.readString("backend") : nil
            return outline
        } catch let error as HDF5Error {
            throw KerasFormatError(error)
        }
    }

    private static func outline(of file: HDF5File, path: String, layout: KerasLayout) throws -> StorageOutline {
        let datasets = try file.root.visit().filter { $0.kind == .dataset }.map { entry in
            let info = try file.root.dataset(entry.path).info()
            return Dataset(path: entry.path, shape: info.shape, dtype: info.datatype.description)
        }
        return StorageOutline(file: path, layout: layout, datasets: datasets, archiveMembers: [])
    }

    private static func readArchive(path: String) throws -> StorageOutline {
        let archive = try KerasArchive.model(path: path)
        let file = try HDF5File(image: try archive.require("model.weights.h5"), name: path + "/model.weights.h5")
        var outline = try outline(of: file, path: path, layout: .kerasArchive)
        outline.archiveMembers = archive.members
        outline.kerasVersion =
            (try? archive.member("metadata.json").map { try JSONValue.parse($0) })??["keras_version"]?.stringValue
        return outline
    }

    private init(file: String, layout: KerasLayout, datasets: [Dataset], archiveMembers: [String]) {
        self.file = file
        self.layout = layout
        self.datasets = datasets
        self.archiveMembers = archiveMembers
    }

    /// The number of values in every dataset together.
    /// (Saturates at `Int.max`: a damaged file may declare more than an `Int` counts.)
    public var valueCount: Int {
        datasets.reduce(0) { total, dataset in
            let (count, overflow) = Tensor.checkedCount(dataset.shape)
            return overflow ? Int.max : total.addingReportingOverflow(count).overflow ? Int.max : total + count
        }
    }
}
