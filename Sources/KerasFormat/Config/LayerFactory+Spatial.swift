import RecurrentLayers

/// The 2D and 3D layers of image and video models around recurrent layers (issue 16): Conv2D/3D, their
/// pooling and global pooling, from Keras 3, tf.keras and Keras 1/2 configs (`nb_filter`, `nb_row`,
/// `nb_col`, `subsample`, `border_mode`, `dim_ordering`).
extension LayerFactory {
    static let spatialClasses: Set<String> = [
        "Conv2D", "Convolution2D", "Conv3D", "Convolution3D", "MaxPooling2D", "MaxPool2D", "MaxPooling3D",
        "MaxPool3D", "AveragePooling2D", "AvgPool2D", "AveragePooling3D", "AvgPool3D", "GlobalMaxPooling2D",
        "GlobalMaxPool2D", "GlobalMaxPooling3D", "GlobalMaxPool3D", "GlobalAveragePooling2D", "GlobalAvgPool2D",
        "GlobalAveragePooling3D", "GlobalAvgPool3D",
    ]

    /// The number of spatial dimensions a class name says (`Conv2D` 2, `MaxPool3D` 3).
    static func spatialRank(_ className: String) -> Int { className.contains("3D") ? 3 : 2 }

    func spatial(_ className: String, name: String, fields: Fields, inputShape: [Int?]) throws
        -> any FeedForwardLayer
    {
        let rank = Self.spatialRank(className)
        let channelsFirst = try fields.channelsFirst()
        let kind: Pooling1D.Kind = className.contains("Max") ? .max : .average
        switch className {
        case "Conv2D", "Convolution2D", "Conv3D", "Convolution3D":
            guard inputShape.count == rank + 2, let channels = (channelsFirst ? inputShape[1] : inputShape.last) ?? nil
            else {
                throw fail(
                    name,
                    "\(className) takes inputs of rank \(rank + 2) with known channels; its input shape is \(Self.spelled(inputShape))"
                )
            }
            guard let filters = fields.int("filters") ?? fields.int("nb_filter") else {
                throw fail(name, "the config has no 'filters'")
            }
            let old = rank == 2 ? ["nb_row", "nb_col"] : ["kernel_dim1", "kernel_dim2", "kernel_dim3"]
            guard let kernelSize = try fields.tuple("kernel_size", rank: rank, old: old, default: nil) else {
                throw fail(name, "the config has no 'kernel_size'")
            }
            return try Convolution(
                filters: filters, kernelSize: kernelSize, channels: channels,
                strides: try fields.tuple("strides", rank: rank, old: ["subsample"], default: 1),
                dilation: try fields.tuple("dilation_rate", rank: rank, default: 1), groups: fields.int("groups") ?? 1,
                padding: try fields.padding(allowCausal: false), channelsFirst: channelsFirst,
                activation: try fields.activation("activation"),
                useBias: fields.bool("use_bias", fields.bool("bias", true)), name: name)
        case "MaxPooling2D", "MaxPool2D", "MaxPooling3D", "MaxPool3D", "AveragePooling2D", "AvgPool2D",
            "AveragePooling3D", "AvgPool3D":
            let poolSize = try fields.tuple("pool_size", rank: rank, default: 2) ?? []
            return try Pooling(
                kind, poolSize: poolSize, strides: try fields.tuple("strides", rank: rank, default: nil),
                padding: try fields.padding(allowCausal: false), channelsFirst: channelsFirst, name: name)
        default:
            return try GlobalPooling(
                kind, rank: rank, keepDims: fields.bool("keepdims", false), channelsFirst: channelsFirst, name: name)
        }
    }
}
