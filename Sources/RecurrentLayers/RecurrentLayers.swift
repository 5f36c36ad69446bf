// RecurrentLayers: Keras's recurrent-layer semantics in Swift (Tensor, cells, RNN, Bidirectional, the
// plain layers recurrent models hold, and the model graph). It knows nothing about files.
//
// Not built yet: issue 3 builds this module. The target exists so the package has the shape DESIGN.md
// draws and the dependency direction is fixed from the start.
