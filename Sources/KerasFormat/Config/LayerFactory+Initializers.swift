import RecurrentLayers

/// Fresh weights from a config's initializers, for a layer built from its config alone (Keras's
/// `from_config` and `build`); a model read from a file takes the file's weights instead.
extension LayerFactory {
    /// Keras's initializer key and default for a weight slot of a layer without initializers of its own
    /// (the convolutions, normalizations, attention, PReLU): by the slot's name, its last path component.
    static func initializerKey(slot: String, className: String) -> (String, Initializer)? {
        switch slot.split(separator: "/").last.map(String.init) ?? slot {
        case "kernel" where className.hasPrefix("DepthwiseConv"): ("depthwise_initializer", .glorotUniform)
        case "kernel": ("kernel_initializer", .glorotUniform)
        case "depthwise_kernel": ("depthwise_initializer", .glorotUniform)
        case "pointwise_kernel": ("pointwise_initializer", .glorotUniform)
        case "bias": ("bias_initializer", .zeros)
        case "gamma": ("gamma_initializer", .ones)
        case "beta": ("beta_initializer", .zeros)
        case "moving_mean": ("moving_mean_initializer", .zeros)
        case "moving_variance": ("moving_variance_initializer", .ones)
        case "alpha": ("alpha_initializer", .zeros)
        default: nil
        }
    }

    /// `layer` with each weight Keras initializes from the config made by that initializer (Dense,
    /// Embedding, the wrappers and nested models have been built with theirs); other weights stay.
    func initialized(_ layer: any FeedForwardLayer, className: String, fields: Fields) throws -> any FeedForwardLayer {
        if layer is Dense || layer is Embedding || layer is TimeDistributed || layer is NestedModel { return layer }
        var generator = SeededGenerator(seed: Self.seed(fields, layer.name))
        var weights = layer.weights
        var changed = false
        for (index, slot) in layer.weightSlots.enumerated() {
            guard let (key, fallback) = Self.initializerKey(slot: slot.name, className: className) else { continue }
            let initializer = try fields.initializer(key, default: fallback)
            weights[index] = try initializer.make(slot.shape, generator: &generator)
            changed = true
        }
        guard changed else { return layer }
        var result = layer
        try result.setWeights(weights)
        return result
    }

    /// The seed of a layer's fresh weights: the kernel initializer's own, else one from the layer's name (so
    /// that two layers of one shape differ, as Keras's unseeded initializers do).
    static func seed(_ fields: Fields, _ name: String) -> UInt64 {
        if let seed = fields.config["kernel_initializer"]?["config"]?["seed"]?.intValue { return UInt64(max(0, seed)) }
        return name.utf8.reduce(14_695_981_039_346_656_037) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }
}

extension Fields {
    /// The initializer the config names under `key` (or Keras 1's `old`), `fallback` (Keras's default)
    /// when it names none; `.placeholder` unless the factory is `initializing` (a layer read from a file
    /// is about to take the file's weights).
    func initializer(_ key: String, orOld old: String? = nil, default fallback: Initializer) throws -> Initializer {
        guard factory.initializing else { return .placeholder }
        guard let value = config[key] ?? old.flatMap({ config[$0] }), !value.isNull else { return fallback }
        return try Self.initializer(value, layer: layer, factory: factory)
    }

    /// A recurrent cell's kernel, recurrent kernel and bias initializers (Keras 1's `init` and `inner_init`
    /// too), Keras's defaults where the config names none.
    func cellInitializers() throws -> (kernel: Initializer, recurrent: Initializer, bias: Initializer) {
        (
            try initializer("kernel_initializer", orOld: "init", default: .glorotUniform),
            try initializer("recurrent_initializer", orOld: "inner_init", default: .orthogonal()),
            try initializer("bias_initializer", default: .zeros)
        )
    }

    /// An initializer config: Keras 3's and tf.keras's `{"class_name": "GlorotUniform", "config": {...}}`
    /// (with or without `module`), or a name (`"glorot_uniform"`, Keras 1's `"uniform"` and `"normal"`).
    static func initializer(_ value: JSONValue, layer: String, factory: LayerFactory) throws -> Initializer {
        let className = value.stringValue ?? value["class_name"]?.stringValue ?? ""
        let settings = value["config"] ?? .null
        func number(_ name: String, _ fallback: Float) -> Float {
            settings[name]?.doubleValue.map(Float.init) ?? fallback
        }
        switch className {
        case "Zeros", "zeros", "zero", "Zero": return .zeros
        case "Ones", "ones", "one", "One": return .ones
        case "Constant", "constant": return .constant(number("value", 0))
        case "RandomNormal", "random_normal", "normal":
            return .randomNormal(mean: number("mean", 0), stddev: number("stddev", 0.05))
        case "RandomUniform", "random_uniform", "uniform":
            return .randomUniform(minval: number("minval", -0.05), maxval: number("maxval", 0.05))
        case "TruncatedNormal", "truncated_normal":
            return .truncatedNormal(mean: number("mean", 0), stddev: number("stddev", 0.05))
        case "GlorotUniform", "glorot_uniform": return .glorotUniform
        case "GlorotNormal", "glorot_normal": return .glorotNormal
        case "HeUniform", "he_uniform": return .heUniform
        case "HeNormal", "he_normal": return .heNormal
        case "LecunUniform", "lecun_uniform": return .lecunUniform
        case "LecunNormal", "lecun_normal": return .lecunNormal
        case "VarianceScaling", "variance_scaling":
            let mode = settings["mode"]?.stringValue ?? "fan_in"
            let distribution = settings["distribution"]?.stringValue ?? "truncated_normal"
            guard ["fan_in", "fan_out", "fan_avg"].contains(mode),
                ["truncated_normal", "normal", "untruncated_normal", "uniform"].contains(distribution)
            else {
                throw factory.fail(layer, "VarianceScaling with mode '\(mode)' and distribution '\(distribution)'")
            }
            return .varianceScaling(scale: number("scale", 1), mode: mode, distribution: distribution)
        case "Orthogonal", "orthogonal": return .orthogonal(gain: number("gain", 1))
        case "Identity", "identity": return .identity(gain: number("gain", 1))
        default:
            throw KerasFormatError(
                .unsupportedLayer, file: factory.file, layer: layer,
                reason: "the initializer \(value.jsonText) is not one of Keras's built-in initializers")
        }
    }
}
