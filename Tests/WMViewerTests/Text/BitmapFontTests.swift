#if Viewer
import Testing
@testable import WMViewer

@Suite struct BitmapFontTests {
    @Test func everyCharacterTheLegendUsesHasItsOwnGlyph() {
        let question = BitmapFont.glyph(for: "?")
        for character in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:-+/()[]%=_<>" {
            #expect(BitmapFont.glyph(for: character).count == BitmapFont.glyphHeight)
            #expect(BitmapFont.glyph(for: character) != question || character == "?", "no glyph for \(character)")
            #expect(BitmapFont.glyph(for: character).allSatisfy { $0 < 0x20 })
        }
        #expect(BitmapFont.glyph(for: "a") == BitmapFont.glyph(for: "A"))
        #expect(BitmapFont.glyph(for: "~") == question)
    }

    @Test func dotsAdvanceByGlyph() {
        // "1" has 10 lit pixels; the second copy is shifted by one advance.
        let one = BitmapFont.dots(in: "1"), two = BitmapFont.dots(in: "11")
        #expect(one.count == 10)
        #expect(two.count == 20)
        #expect(Set(two.dropFirst(10).map { $0 &- SIMD2(BitmapFont.advance, 0) }) == Set(one))
    }
}
#endif
