/// What SimpleRNNCell, LSTMCell and GRUCell share, for code that treats them alike (config writers,
/// summaries, validation).
public protocol BuiltInCell: RecurrentCell {
    var units: Int { get }
    var activation: Activation { get }
    var useBias: Bool { get }
    var rules: CellRules { get }
    var dropout: Float { get }
    var recurrentDropout: Float { get }
    var seed: UInt64? { get }
}

extension SimpleRNNCell: BuiltInCell {}
extension LSTMCell: BuiltInCell {}
extension GRUCell: BuiltInCell {}
