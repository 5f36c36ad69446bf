/// Keras's `StackedRNNCells`: several cells run one after another within each timestep; cell i's output
/// is cell i+1's input, and the layer's output is the last cell's. States are all cells' states, cell by
/// cell (KERAS.md A.12); weights likewise.
public struct StackedRNNCells: RecurrentCell {
    /// The stack's name.
    public var name: String
    /// The cells, first to last: each step's output of one is the input of the next.
    public var cells: [any RecurrentCell]

    /// Keras's `StackedRNNCells(cells)`.
    public init(_ cells: [any RecurrentCell], name: String = "stacked_rnn_cells") {
        precondition(!cells.isEmpty, "StackedRNNCells needs at least one cell")
        self.cells = cells
        self.name = name
    }

    public var stateShapes: [[Int]] { cells.flatMap(\.stateShapes) }
    public var outputSize: Int { cells[cells.count - 1].outputSize }
    public var outputShape: [Int] { cells[cells.count - 1].outputShape }
    public var acceptsConstants: Bool { cells.contains { $0.acceptsConstants } }

    public func initialState(batchSize: Int) -> [Tensor] {
        cells.flatMap { $0.initialState(batchSize: batchSize) }
    }

    public var weightSlots: [WeightSlot] { cells.flatMap(\.weightSlots) }
    public var weights: [Tensor] { cells.flatMap(\.weights) }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        let counts = cells.map { $0.weightSlots.count }
        guard weights.count == counts.reduce(0, +) else {
            throw RecurrentError(
                .countMismatch, layer: name,
                "expected \(counts.reduce(0, +)) weights for \(cells.count) cells, received \(weights.count)")
        }
        var start = 0
        for index in cells.indices {
            try cells[index].setWeights(Array(weights[start..<(start + counts[index])]))
            start += counts[index]
        }
    }

    /// The states of each cell, split from the flat list.
    private func split(_ states: [Tensor]) -> [[Tensor]] {
        var start = 0
        return cells.map { cell in
            let count = cell.stateShapes.count
            defer { start += count }
            return Array(states[start..<(start + count)])
        }
    }

    /// Each cell's masks, its input width being the previous cell's output.
    public func makeDropoutMasks(batchSize: Int, inputSize: Int, call: Int) -> [DropoutMasks?] {
        var width = inputSize
        return cells.flatMap { cell in
            defer { width = cell.outputSize }
            return cell.makeDropoutMasks(batchSize: batchSize, inputSize: width, call: call)
        }
    }

    /// The context cell `index` sees: its own dropout masks, and constants only if it takes them
    /// (tf.keras forwards them so).
    private func context(for index: Int, _ context: CellContext) -> CellContext {
        let masks = index < context.dropout.count ? [context.dropout[index]] : []
        return CellContext(
            training: context.training, constants: cells[index].acceptsConstants ? context.constants : [],
            dropout: masks)
    }

    public func projectInputs(_ inputs: Tensor) throws -> Tensor? {
        try cells[0].projectInputs(inputs)
    }

    public func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        let perCell = split(states)
        let first = try cells[0].step(
            projected: projected, states: perCell[0], context: self.context(for: 0, context))
        return try continueStep(from: first, perCell: perCell, context: context)
    }

    public func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        let perCell = split(states)
        let first = try cells[0].step(input, states: perCell[0], context: self.context(for: 0, context))
        return try continueStep(from: first, perCell: perCell, context: context)
    }

    private func continueStep(from first: CellOutput, perCell: [[Tensor]], context: CellContext) throws -> CellOutput {
        var output = first.output
        var states = first.states
        for index in cells.indices.dropFirst() {
            let result = try cells[index].step(
                output, states: perCell[index], context: self.context(for: index, context))
            output = result.output
            states += result.states
        }
        return CellOutput(output: output, states: states)
    }
}
