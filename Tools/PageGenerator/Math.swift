// Math that GitHub draws as written. Inside `$…$` and `$$…$$` GitHub's Markdown takes `\,` `\;` `\!`
// `\{` `\}` as escapes before the math is drawn, so `2\, \bar y` shows a comma; its own forms,
// ```` ```math ```` blocks and `` $`…`$ `` inline, keep them.

import Foundation

/// The TeX commands that GitHub's Markdown eats inside `$…$` and `$$…$$`.
public let escapesGitHubDrops = ["\\,", "\\;", "\\!", "\\{", "\\}"]

/// Each `$…$` or `$$…$$` span of a Markdown page, outside code, that holds one of
/// ``escapesGitHubDrops``: the span as written.
public func mathGitHubBreaks(in page: String) -> [String] {
    // Fenced blocks (```math among them) are left out, line by line.
    var prose: [String] = [], inFence = false
    for line in page.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { inFence.toggle(); continue }
        if !inFence { prose.append(String(line)) }
    }
    var text = prose.joined(separator: "\n")
    // GitHub's inline form $`…`$, then inline code.
    text = text.replacingOccurrences(of: "\\$`[^`]*`\\$", with: " ", options: .regularExpression)
    text = text.replacingOccurrences(of: "`[^`]*`", with: " ", options: .regularExpression)
    var broken: [String] = []
    for pattern in ["\\$\\$[\\s\\S]+?\\$\\$", "\\$[^$\n]+?\\$"] {
        let expression = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        for match in expression.matches(in: text, range: range) {
            guard let span = Range(match.range, in: text) else { continue }
            let math = String(text[span])
            if escapesGitHubDrops.contains(where: math.contains) { broken.append(math) }
        }
        text = expression.stringByReplacingMatches(in: text, range: range, withTemplate: " ")
    }
    return broken
}
