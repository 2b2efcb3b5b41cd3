import Testing

#if Viewer
/// The scenes of the package, found from this file's path.
let packageRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

func scenePath(_ name: String) -> String { packageRoot + "/scenes/" + name }
#else
@Suite struct TraitTests {
    @Test(.disabled("WMViewer is built only with the Viewer trait: xvfb-run -a swift test --traits Viewer --filter WMViewerTests"))
    func viewerNeedsTheTrait() {}
}
#endif
