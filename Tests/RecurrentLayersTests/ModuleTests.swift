import RecurrentLayers
import Testing

// The module has no API yet (issue 3 builds it); this target only keeps the test layout of DESIGN.md.
