/// Text that came from a file, made safe to print: names and values in a model file are the file author's
/// choice, so a layer name must not be able to break a message across lines, move the cursor or recolour
/// the terminal (escape sequences), nor fill a screen.
public enum TerminalText {
    /// `text` with every control character (newlines, tabs, ESC, C1 controls, DEL) and every bidirectional
    /// override written as a `\u{...}` escape, cut to `limit` characters with a note of what was cut.
    public static func escaped(_ text: String, limit: Int = 1000) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                let rest = text.unicodeScalars.count - count
                return result + "... (\(rest) more characters cut)"
            }
            if needsEscape(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return result
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true  // C0, DEL, C1
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true  // bidirectional controls
        default: return false
        }
    }
}
