public enum KerasFormatPlaceholder {}
