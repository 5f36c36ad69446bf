extension RNN {
    /// The shapes the layer returns for an input shape (Keras's `compute_output_shape`); nil marks a
    /// dimension not known yet. The first shape is the output's, then one per state with `returnState`.
    public func outputShapes(inputShape: [Int?]) -> [[Int?]] {
        let batchMajor =
            timeMajor && inputShape.count >= 2 ? [inputShape[1], inputShape[0]] + inputShape.dropFirst(2) : inputShape
        let batch = batchMajor.first ?? nil
        let timesteps = batchMajor.count > 1 ? batchMajor[1] : nil
        let step = cell.outputShape.map { Optional($0) }
        var output: [Int?] = returnSequences ? [batch, timesteps] + step : [batch] + step
        if timeMajor && returnSequences { output = [timesteps, batch] + step }
        guard returnState else { return [output] }
        return [output] + cell.stateShapes.map { [batch] + $0.map { Optional($0) } }
    }

    /// The masks the layer's outputs carry (Keras 3.15.1's `compute_mask`): the input mask on the output
    /// sequence with `returnSequences`, none otherwise, and none on the states.
    public func outputMasks(inputMask: Mask?) -> [Mask?] {
        let outputMask = returnSequences ? inputMask : nil
        return [outputMask] + (returnState ? Array(repeating: nil, count: cell.stateShapes.count) : [])
    }
}
