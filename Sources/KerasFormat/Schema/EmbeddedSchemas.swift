/// The JSON Schemas of Schemas/, by path relative to it: compiled into the binary by SwiftPM
/// (`resources: [.embedInCode("Schemas")]` in Package.swift, through the link `Sources/KerasFormat/Schemas`),
/// so a copied `rnnkit` needs no resource bundle. SwiftPM names each file's bytes after its file name
/// alone, so the folders are given here; SchemaTests fails when a schema is missing from this list.
enum EmbeddedSchemas {
    static let files: [String: String] = Dictionary(
        uniqueKeysWithValues: resources.map { ($0.path, String(decoding: $0.bytes, as: UTF8.self)) })

    private static let resources: [(path: String, bytes: [UInt8])] = [
        ("cell.schema.json", PackageResources.cell_schema_json),
        ("diff.schema.json", PackageResources.diff_schema_json),
        ("inspect.schema.json", PackageResources.inspect_schema_json),
        ("layer.schema.json", PackageResources.layer_schema_json),
        ("layers/Activation.schema.json", PackageResources.Activation_schema_json),
        ("layers/Attention.schema.json", PackageResources.Attention_schema_json),
        ("layers/BatchNormalization.schema.json", PackageResources.BatchNormalization_schema_json),
        ("layers/Bidirectional.schema.json", PackageResources.Bidirectional_schema_json),
        ("layers/Concatenate.schema.json", PackageResources.Concatenate_schema_json),
        ("layers/Conv1D.schema.json", PackageResources.Conv1D_schema_json),
        ("layers/ConvLSTM.schema.json", PackageResources.ConvLSTM_schema_json),
        ("layers/Cropping1D.schema.json", PackageResources.Cropping1D_schema_json),
        ("layers/Dense.schema.json", PackageResources.Dense_schema_json),
        ("layers/Dot.schema.json", PackageResources.Dot_schema_json),
        ("layers/Dropout.schema.json", PackageResources.Dropout_schema_json),
        ("layers/Embedding.schema.json", PackageResources.Embedding_schema_json),
        ("layers/Flatten.schema.json", PackageResources.Flatten_schema_json),
        ("layers/GRU.schema.json", PackageResources.GRU_schema_json),
        ("layers/GRUCell.schema.json", PackageResources.GRUCell_schema_json),
        ("layers/GlobalPooling1D.schema.json", PackageResources.GlobalPooling1D_schema_json),
        ("layers/InputLayer.schema.json", PackageResources.InputLayer_schema_json),
        ("layers/LSTM.schema.json", PackageResources.LSTM_schema_json),
        ("layers/LSTMCell.schema.json", PackageResources.LSTMCell_schema_json),
        ("layers/LayerNormalization.schema.json", PackageResources.LayerNormalization_schema_json),
        ("layers/MaskOperation.schema.json", PackageResources.MaskOperation_schema_json),
        ("layers/Masking.schema.json", PackageResources.Masking_schema_json),
        ("layers/Merge.schema.json", PackageResources.Merge_schema_json),
        ("layers/Noise.schema.json", PackageResources.Noise_schema_json),
        ("layers/Operation.schema.json", PackageResources.Operation_schema_json),
        ("layers/Permute.schema.json", PackageResources.Permute_schema_json),
        ("layers/Pooling1D.schema.json", PackageResources.Pooling1D_schema_json),
        ("layers/RNN.schema.json", PackageResources.RNN_schema_json),
        ("layers/RepeatVector.schema.json", PackageResources.RepeatVector_schema_json),
        ("layers/Reshape.schema.json", PackageResources.Reshape_schema_json),
        ("layers/SimpleRNN.schema.json", PackageResources.SimpleRNN_schema_json),
        ("layers/SimpleRNNCell.schema.json", PackageResources.SimpleRNNCell_schema_json),
        ("layers/StackedRNNCells.schema.json", PackageResources.StackedRNNCells_schema_json),
        ("layers/TimeDistributed.schema.json", PackageResources.TimeDistributed_schema_json),
        ("layers/ZeroPadding1D.schema.json", PackageResources.ZeroPadding1D_schema_json),
        ("model.schema.json", PackageResources.model_schema_json),
        ("validate.schema.json", PackageResources.validate_schema_json),
    ]
}
