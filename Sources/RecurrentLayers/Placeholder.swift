public enum RecurrentLayersPlaceholder {}
