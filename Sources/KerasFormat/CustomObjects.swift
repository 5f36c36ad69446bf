import RecurrentLayers

/// Your own cells and layers, registered under the Keras class names files use: Keras's
/// `custom_objects` (seed 001). A file holding such a class then loads, runs and saves.
///
/// ```swift
/// var custom = CustomObjects()
/// custom.registerCell("MinimalRNNCell") { config, inputSize in
///     try MinimalRNNCell(units: config["units"]?.intValue ?? 0, inputSize: inputSize)
/// }
/// var loaded = try KerasModel.load(path: "minimal.keras", customObjects: custom)
/// ```
///
/// A name matches a file's `class_name`, or its `registered_name` (`package>Name`) whole.
public struct CustomObjects: Sendable {
    /// Makes a cell from its config (`units` and the like) for inputs of `inputSize` features.
    public typealias CellMaker = @Sendable (_ config: JSONObject, _ inputSize: Int) throws -> any RecurrentCell
    /// Makes a layer from its config for inputs of `inputShape` (batch first).
    public typealias LayerMaker = @Sendable (_ config: JSONObject, _ inputShape: [Int?]) throws -> any FeedForwardLayer

    private var cells: [String: CellMaker] = [:]
    private var layers: [String: LayerMaker] = [:]

    /// No custom objects: only Keras's built-in classes load.
    public init() {}

    /// Registers `make` for cells whose config names `className` (or that `registered_name`).
    public mutating func registerCell(_ className: String, _ make: @escaping CellMaker) { cells[className] = make }
    /// Registers `make` for layers whose config names `className` (or that `registered_name`).
    public mutating func registerLayer(_ className: String, _ make: @escaping LayerMaker) { layers[className] = make }

    func cell(className: String, registeredName: String?) -> CellMaker? {
        cells[className] ?? registeredName.flatMap { cells[$0] }
    }

    func layer(className: String, registeredName: String?) -> LayerMaker? {
        layers[className] ?? registeredName.flatMap { layers[$0] }
    }
}

/// A cell of your own that RNNKit can write for Keras: the name Keras registers its Python class under
/// and its `get_config()`. A model holding it, built in Swift, then saves, and loads in Keras wherever the
/// Python class is registered (`@keras.saving.register_keras_serializable(package)`).
///
/// ```swift
/// extension MinimalRNNCell: KerasSerializableCell {
///     var kerasRegisteredName: String { "rnnkit>MinimalRNNCell" }
///     var kerasConfig: JSONObject { JSONObject([("name", .string("minimal_rnn_cell")), ("units", .int(4))]) }
/// }
/// ```
/// A cell that does not conform is written only when the file it came from holds its config.
public protocol KerasSerializableCell: RecurrentCell {
    /// `package>ClassName`, as `register_keras_serializable(package)` registers the Python class.
    var kerasRegisteredName: String { get }
    /// The Python class's `get_config()`: what its `__init__` takes (`units`, ...), and `name`.
    var kerasConfig: JSONObject { get }
}

extension CustomObjects {
    /// These custom objects, plus a maker for every `KerasSerializableCell` in `model` whose name is not
    /// registered: it gives back the model's own cell of that config. Writing a model built in Swift and
    /// loading weights into it go through the Keras config written from its layers and the layers built
    /// again from it; the cells the model holds build themselves, so no registration is needed.
    func including(cellsOf model: Model) -> CustomObjects {
        var found: [String: [any KerasSerializableCell]] = [:]
        func visit(_ cell: any RecurrentCell) {
            if let stack = cell as? StackedRNNCells {
                stack.cells.forEach(visit)
            } else if let own = cell as? any KerasSerializableCell {
                found[own.kerasRegisteredName, default: []].append(own)
            }
        }
        func visit(_ model: Model) {
            for layer in model.layers {
                switch layer {
                case .recurrent(let rnn): visit(rnn.cell)
                case .bidirectional(let wrapper):
                    visit(wrapper.forward.cell)
                    visit(wrapper.backward.cell)
                case .feedForward(let nested as NestedModel): visit(nested.model)
                default: break
                }
            }
        }
        visit(model)
        var result = self
        for (registered, cells) in found {
            let className = registered.split(separator: ">").last.map(String.init) ?? registered
            guard cell(className: className, registeredName: registered) == nil else { continue }
            let choices = cells
            let make: CellMaker = { config, _ in choices.first { $0.kerasConfig == config } ?? choices[0] }
            result.registerCell(registered, make)
            result.registerCell(className, make)
        }
        return result
    }
}
