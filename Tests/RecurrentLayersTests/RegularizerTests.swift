import Foundation
import RecurrentLayers
import TestSupport
import Testing

/// Regularizer penalties and constraints against Keras 3.15.1 (tools/make_regularizer_fixtures.py).
@Suite("Regularizers and constraints")
struct RegularizerTests {
    struct Fixture: Decodable {
        struct Input: Decodable {
            var shape: [Int]
            var values: [Float]
        }
        struct Case: Decodable {
            var input: String
            var regularizer: String?
            var constraint: String?
            var params: [String: Parameter]
            var penalty: Float?
            var output: [Float]?
        }
        var inputs: [String: Input]
        var cases: [Case]
    }

    /// A parameter: a number, a mode string, or an axis list.
    enum Parameter: Decodable {
        case number(Float)
        case text(String)
        case axes([Int])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let axes = try? container.decode([Int].self) {
                self = .axes(axes)
            } else if let number = try? container.decode(Float.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        var number: Float { if case .number(let value) = self { value } else { 0 } }
        var axes: [Int] {
            switch self {
            case .axes(let axes): axes
            case .number(let value): [Int(value)]
            case .text: []
            }
        }
    }

    static func load() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/layers/regularizers_keras3.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func regularizer(_ kind: String, _ p: [String: Parameter]) -> Regularizer {
        switch kind {
        case "l1": .l1(p["l1"]!.number)
        case "l2": .l2(p["l2"]!.number)
        case "l1l2": .l1l2(l1: p["l1"]!.number, l2: p["l2"]!.number)
        default:
            .orthogonal(
                factor: p["factor"]!.number,
                mode: { if case .text("columns") = p["mode"]! { .columns } else { .rows } }())
        }
    }

    static func constraint(_ kind: String, _ p: [String: Parameter]) -> Constraint {
        switch kind {
        case "max_norm": .maxNorm(maxValue: p["max_value"]!.number, axis: p["axis"]!.axes)
        case "non_neg": .nonNeg
        case "unit_norm": .unitNorm(axis: p["axis"]!.axes)
        default:
            .minMaxNorm(
                minValue: p["min_value"]!.number, maxValue: p["max_value"]!.number, rate: p["rate"]!.number,
                axis: p["axis"]!.axes)
        }
    }

    @Test("every penalty and constrained weight matches Keras")
    func matchesKeras() throws {
        let fixture = try Self.load()
        #expect(fixture.cases.count > 30)
        for item in fixture.cases {
            let input = try #require(fixture.inputs[item.input])
            let weights = Tensor(shape: input.shape, scalars: input.values)
            if let kind = item.regularizer {
                let penalty = try Self.regularizer(kind, item.params).penalty(weights)
                #expect(
                    isClose(penalty, item.penalty!),
                    "\(kind) \(item.params.keys.sorted()) on \(item.input): \(penalty) vs \(item.penalty!)")
            } else if let kind = item.constraint {
                let output = Self.constraint(kind, item.params).apply(weights)
                expectClose(output, item.output!)
            }
        }
    }

    @Test("the orthogonal regularizer needs a matrix")
    func orthogonalRank() throws {
        #expect(throws: RecurrentError.self) {
            try Regularizer.orthogonal(factor: 0.01, mode: .rows).penalty(Tensor.zeros([2, 2, 2]))
        }
    }
}

/// The cells and layers apply their rules to the right weights.
@Suite("Cell rules")
struct CellRulesTests {
    @Test("a cell's loss is its weights' penalties; constraints apply to each weight")
    func cellRules() throws {
        let rules = CellRules(
            kernelRegularizer: .l2(0.01), recurrentRegularizer: .l1(0.02), biasRegularizer: .l1l2(l1: 0.1, l2: 0.2),
            kernelConstraint: .maxNorm(maxValue: 0.5, axis: [0]), recurrentConstraint: .nonNeg,
            biasConstraint: .unitNorm(axis: [0]))
        var cell = try LSTMCell(units: 3, inputSize: 4, biasInitializer: .constant(0.5), seed: 2, rules: rules)
        let expected =
            try Regularizer.l2(0.01).penalty(cell.kernel) + Regularizer.l1(0.02).penalty(cell.recurrentKernel)
            + Regularizer.l1l2(l1: 0.1, l2: 0.2).penalty(cell.bias!)
        let loss = try cell.regularizationLoss()
        #expect(isClose(loss, expected))
        let before = cell.weights
        cell.applyConstraints()
        #expect(cell.kernel == Constraint.maxNorm(maxValue: 0.5, axis: [0]).apply(before[0]))
        #expect(cell.recurrentKernel.scalars.allSatisfy { $0 >= 0 })
        #expect(cell.bias == Constraint.unitNorm(axis: [0]).apply(before[2]))
        #expect(try GRUCell(units: 2, inputSize: 3).regularizationLoss() == 0)
    }

    @Test("the activity loss is each returned tensor's penalty over its batch size")
    func activityLoss() throws {
        var layer = RNN(cell: try Constant.lstm(2, inputSize: 3), returnState: true)
        layer.activityRegularizer = .l2(0.1)
        let result = try layer.call(Inputs.q)
        let expected = try result.tensors.reduce(Float(0)) { $0 + (try Regularizer.l2(0.1).penalty($1)) / 2 }
        let loss = try layer.activityLoss(result)
        #expect(result.tensors.count == 3 && isClose(loss, expected))
        layer.activityRegularizer = nil
        #expect(try layer.activityLoss(result) == 0)
    }
}
