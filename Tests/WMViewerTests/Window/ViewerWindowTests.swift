#if Viewer
import CGLFW
import Testing
import WorldModel
@testable import WMViewer
#if canImport(Glibc)
import Glibc
#endif

/// Whether an X display is there to open a window on (`xvfb-run -a` provides one).
let hasDisplay = getenv("DISPLAY") != nil

@Suite(.serialized) struct ViewerWindowTests {
    /// The push scene's four cubes placed apart, at rest, the pusher in a corner.
    static let placements: [SIMD2<Float>] = [[-0.15, -0.10], [0.15, -0.10], [-0.15, 0.12], [0.15, 0.12]]

    static func placedSession() throws -> ViewerSession {
        let session = try ViewerSession(groundTruth: GroundTruthSource(scenePath: scenePath("push.xml")), driver: .scripted(.still))
        let scene = session.scene
        var qpos = scene.qpos0
        for (joint, xy) in zip(scene.tree.joints.filter { $0.kind == .free }, placements) {
            qpos.replaceSubrange(joint.qposAddress..<(joint.qposAddress + 7), with: [xy.x, xy.y, 0.025, 1, 0, 0, 0])
        }
        for joint in scene.tree.joints where joint.kind == .slide { qpos[joint.qposAddress] = 0.3 }  // the pusher at (0.3, 0.3)
        try session.reset(to: Observation(qpos: qpos, qvel: [Float](repeating: 0, count: scene.nv), ctrl: [Float](repeating: 0, count: scene.nu),
                                          step: 0, kinematics: ForwardKinematics(tree: scene.tree)))
        return session
    }

    /// The cubes' bodies and colours, in MJCF order.
    static func objects(_ session: ViewerSession) -> [(body: Int, rgb: SIMD3<Float>)] {
        let scene = session.scene
        return scene.passiveBodyIndices.map { b in
            let rgba = scene.geoms[scene.bodies[b].firstGeom].rgba
            return (b, SIMD3(rgba[0], rgba[1], rgba[2]))
        }
    }

    /// The colour among `palette` nearest to `pixel` in chromaticity (r, g, b over their sum), which shading
    /// by a white light barely changes.
    static func nearest(_ pixel: SIMD3<Float>, in palette: [SIMD3<Float>]) -> Int {
        func chroma(_ c: SIMD3<Float>) -> SIMD3<Float> { c / max(c.sum(), 1e-3) }
        let p = chroma(pixel)
        return palette.indices.min { a, b in
            let da = chroma(palette[a]) - p, db = chroma(palette[b]) - p
            return (da * da).sum() < (db * db).sum()
        }!
    }

    @Test(.enabled(if: hasDisplay, "no display (DISPLAY unset): run under xvfb-run -a"))
    func eachObjectAppearsAtItsProjectedCentre() throws {
        let session = try Self.placedSession()
        let (width, height) = (640, 480)
        let window = try ViewerWindow(session: session, width: width, height: height, visible: false)
        window.camera = OrbitCamera(target: [0, 0.06, 0], distanceMeters: 0.9, yawRadians: -.pi / 2, pitchRadians: 1.1)
        window.render(session)
        let image = window.screenshot()
        #expect(image.width == width && image.height == height)

        let objects = Self.objects(session).map(\.rgb)
        let table = SIMD3<Float>(0.78, 0.76, 0.70), pusher = SIMD3<Float>(0.85, 0.20, 0.15), background = SIMD3<Float>(0.93, 0.94, 0.96)
        let palette = objects + [table, pusher, background]
        func colour(at x: Int, _ y: Int) -> SIMD3<Float> {
            let o = (y * width + x) * 3
            return SIMD3(Float(image.pixels[o]), Float(image.pixels[o + 1]), Float(image.pixels[o + 2])) / 255
        }
        func votes(around p: SIMD2<Float>) -> [Int] {
            var counts = [Int](repeating: 0, count: palette.count)
            for dy in -2...2 {
                for dx in -2...2 { counts[Self.nearest(colour(at: Int(p.x) + dx, Int(p.y) + dy), in: palette)] += 1 }
            }
            return counts
        }
        for i in objects.indices {
            let centre = try #require(window.camera.project(session.groundTruth.observation.bodyPositions[Self.objects(session)[i].body], width: width, height: height))
            try #require(centre.x > 20 && centre.x < Float(width - 20) && centre.y > 150 && centre.y < Float(height - 40),
                         "object \(i) projects to \(centre), under the text or off screen")
            let counts = votes(around: centre)
            #expect(counts[i] >= 20, "object \(i) at pixel \(centre): votes \(counts)")
        }
        // Between the cubes there is only table.
        let empty = try #require(window.camera.project([0, 0.01, 0], width: width, height: height))
        #expect(votes(around: empty)[objects.count] >= 20)
        let pusherPixel = try #require(window.camera.project([0.3, 0.3, 0.05], width: width, height: height))
        #expect(votes(around: pusherPixel)[objects.count + 1] >= 15)
    }

    @Test(.enabled(if: hasDisplay, "no display (DISPLAY unset): run under xvfb-run -a"))
    func hidingTheGroundTruthLeavesTheTable() throws {
        let session = try Self.placedSession()
        let window = try ViewerWindow(session: session, width: 320, height: 240, visible: false)
        window.camera = OrbitCamera(target: [0, 0.06, 0], distanceMeters: 0.9, yawRadians: -.pi / 2, pitchRadians: 1.1)
        session.shown[0] = false
        window.render(session)
        let image = window.screenshot()
        let centre = try #require(window.camera.project(session.groundTruth.observation.bodyPositions[Self.objects(session)[1].body], width: 320, height: 240))
        let o = (Int(centre.y) * 320 + Int(centre.x)) * 3
        let pixel = SIMD3(Float(image.pixels[o]), Float(image.pixels[o + 1]), Float(image.pixels[o + 2])) / 255
        #expect(Self.nearest(pixel, in: [Self.objects(session)[1].rgb, SIMD3(0.78, 0.76, 0.70)]) == 1)
    }

    @Test(.enabled(if: hasDisplay, "no display (DISPLAY unset): run under xvfb-run -a"))
    func keysPauseStepResetChangeSpeedAndToggleSources() throws {
        let session = try Self.placedSession()
        let window = try ViewerWindow(session: session, width: 160, height: 120, visible: false)
        window.handleKey(GLFW_KEY_SPACE, session: session)
        #expect(window.paused)
        window.handleKey(GLFW_KEY_EQUAL, session: session)
        window.handleKey(GLFW_KEY_KP_ADD, session: session)
        #expect(window.speed == 4)
        window.handleKey(GLFW_KEY_MINUS, session: session)
        #expect(window.speed == 2)
        window.handleKey(GLFW_KEY_G, session: session)
        #expect(session.shown == [false])
        window.handleKey(GLFW_KEY_F, session: session)
        #expect(window.fieldShown)
        try session.advance()
        window.handleKey(GLFW_KEY_R, session: session)
        #expect(session.step == 0)
    }
    /// With the shipped push fields, the top-right corner holds exactly the field's picture of the session (8 px
    /// from the edges, top row first), the picture shows every cube's colour, and `f` takes it away again.
    @Test(.enabled(if: hasDisplay, "no display (DISPLAY unset): run under xvfb-run -a"))
    func theFieldInsetShowsTheFieldsPictureAndTogglesWithF() throws {
        let session = try Self.placedSession()
        let (width, height) = (480, 320)
        let window = try ViewerWindow(session: session, width: width, height: height, visible: false)
        let fields = try ObjectFieldSet.load(from: packageRoot + "/models/push-field.safetensors")
        let inset = try FieldInset(fields: fields, scene: session.scene)
        window.fieldInset = inset
        window.insetSize = 96
        #expect(window.fieldShown)
        window.render(session)
        let screen = window.screenshot()
        let picture = inset.image(of: session.groundTruth, size: 96)
        let x0 = width - 96 - 8, y0 = 8
        var worst = 0
        for y in 0..<96 {
            for x in 0..<96 {
                for c in 0..<3 {
                    let a = Int(screen.pixels[((y0 + y) * width + x0 + x) * 3 + c]), b = Int(picture.pixels[(y * 96 + x) * 3 + c])
                    worst = max(worst, abs(a - b))
                }
            }
        }
        #expect(worst <= 2, "inset differs from the field's picture by up to \(worst) levels")
        // Every cube's colour is the nearest palette entry for some pixels of the picture.
        let objects = Self.objects(session).map(\.rgb)
        let palette = objects + [SIMD3<Float>(0.78, 0.76, 0.70), SIMD3<Float>(0.85, 0.20, 0.15), SIMD3<Float>(0.93, 0.94, 0.96)]
        var counts = [Int](repeating: 0, count: palette.count)
        for p in stride(from: 0, to: picture.pixels.count, by: 3) {
            let pixel = SIMD3(Float(picture.pixels[p]), Float(picture.pixels[p + 1]), Float(picture.pixels[p + 2])) / 255
            let saturation = pixel.max() - pixel.min()
            if saturation > 0.15 { counts[Self.nearest(pixel, in: palette)] += 1 }
        }
        for i in objects.indices { #expect(counts[i] >= 3, "cube \(i) not in the field's picture: \(counts)") }

        window.handleKey(GLFW_KEY_F, session: session)
        #expect(!window.fieldShown)
        window.render(session)
        let hidden = window.screenshot()
        var changed = 0
        for y in 0..<96 {
            for x in 0..<96 {
                let o = ((y0 + y) * width + x0 + x) * 3
                if hidden.pixels[o..<(o + 3)] != screen.pixels[o..<(o + 3)] { changed += 1 }
            }
        }
        #expect(changed > 96 * 96 / 2, "only \(changed) pixels of the corner changed when the field was hidden")
    }
    /// dm_control's stacker with the shipped learned model beside MuJoCo: every arm link and box is drawn where
    /// forward kinematics puts it (its pixels change when the ground truth is hidden), and the legend's error is
    /// over the four boxes.
    @Test(.enabled(if: hasDisplay && stackerPresent, "needs a display (xvfb-run -a) and dm_control's stacker.xml (tools/fetch-dm-control.sh)"))
    func stackersArmAndBoxesAreDrawnAtTheirForwardKinematicsPoses() throws {
        let groundTruth = try GroundTruthSource(scenePath: stackerPath)
        let learned = try LearnedSource(modelPath: packageRoot + "/models/stacker.safetensors", scene: groundTruth.scene)
        let session = try ViewerSession(groundTruth: groundTruth, learned: [learned], driver: .scripted(.reach), seed: 2, episode: 0)
        for _ in 0..<20 { try session.advance() }
        let (width, height) = (640, 400)
        let window = try ViewerWindow(session: session, width: width, height: height, visible: false)
        session.shown[1] = false
        window.render(session)
        let shown = window.screenshot()
        session.shown[0] = false
        window.render(session)
        let hidden = window.screenshot()
        let scene = session.scene, seen = groundTruth.observation
        let names = ["upper_arm", "middle_arm", "lower_arm", "hand", "box0", "box1", "box2", "box3"]
        for name in names {
            let g = try #require(scene.geoms.firstIndex { $0.name == name }, "no geom \(name)")
            let geom = scene.geoms[g]
            let centre = geom.worldPose(bodyPosition: seen.bodyPositions[geom.body], bodyQuaternion: seen.bodyQuaternions[geom.body]).position
            let p = try #require(window.camera.project(centre, width: width, height: height))
            try #require(p.x > 2 && p.x < Float(width - 3) && p.y > 2 && p.y < Float(height - 3), "\(name) projects off screen: \(p)")
            var changed = 0
            for dy in -1...1 {
                for dx in -1...1 {
                    let o = ((Int(p.y) + dy) * width + Int(p.x) + dx) * 3
                    if shown.pixels[o..<(o + 3)] != hidden.pixels[o..<(o + 3)] { changed += 1 }
                }
            }
            #expect(changed >= 7, "\(name) at pixel \(p): only \(changed) of 9 pixels drawn")
        }
        let legend = ViewerLegend.lines(session: session, paused: false, speed: 1, fieldShown: false, field: nil)
        #expect(legend.contains { $0.hasPrefix("POSITION ERROR") && $0.contains("MEAN OVER OBJECTS") })
        #expect(legend.contains { $0.contains("learned (GNN)") })
    }
}
#endif
