import CGeometry
import Testing

@Suite struct QuaternionTests {
    @Test func placeholder() { #expect(WM_SHAPE_BOX.rawValue == 1) }
}
