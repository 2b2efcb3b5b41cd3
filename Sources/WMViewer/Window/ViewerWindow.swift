#if Viewer
import CGLFW
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// A GLFW window with an OpenGL (compatibility profile) context that draws a `ViewerSession`.
///
/// Interactive: `run(_:)` loops until the window closes (mouse: left-drag orbit, right-drag pan, wheel zoom;
/// keys: space pause, `.` one step, `r` reset, `+`/`-` speed, `g`/`l`/`f` show or hide ground truth / learned /
/// field, arrows drive the first two actuators (a pusher) with the keyboard driver, `q`/Esc quit). Headless: `render(_:)` and
/// `screenshot()` in a hidden window, e.g. under `xvfb-run -a`.
///
/// ```swift
/// let window = try ViewerWindow(session: session, width: 640, height: 480, visible: false)
/// window.render(session)
/// try PNGFile.write(window.screenshot(), to: "/tmp/view.png")
/// ```
/// One window per process at a time; GLFW wants the main thread.
public final class ViewerWindow {
    public var camera: OrbitCamera
    public private(set) var paused = false
    /// Control steps per second of simulated time relative to real time (1 = real time).
    public private(set) var speed = 1.0
    public private(set) var fieldShown = false
    /// The neural field's picture of the learned world (of the ground truth when no model is loaded), drawn in
    /// the top-right corner while `fieldShown`; nil without `--field`.
    public var fieldInset: FieldInset? { didSet { fieldShown = fieldInset != nil; insetImage = nil } }
    /// Pixels of the inset's side, and how many rendered frames it is kept before it is rendered again.
    public var insetSize = 128, insetEveryFrames = 6
    private var insetImage: RGBImage?
    private var framesSinceInset = 0
    private let window: OpaquePointer
    private let renderer: SceneRenderer
    private var session: ViewerSession?
    private var pendingError: Error?
    private var singleStepRequested = false
    private var lastCursor = SIMD2<Double>(0, 0)

    /// Opens a `width` x `height` window (hidden unless `visible`) for `session`'s scene, the camera framing its
    /// moving bodies at the session's start (`OrbitCamera.framing`). Throws when no display can be opened.
    public init(session: ViewerSession, width: Int, height: Int, visible: Bool, title: String = "wm view") throws {
        guard glfwInit() == GLFW_TRUE else {
            throw WorldModelError("cannot start GLFW: \(Self.lastGLFWError()) (no display? set DISPLAY or run under xvfb-run -a)")
        }
        glfwDefaultWindowHints()
        glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE)
        glfwWindowHint(GLFW_SAMPLES, 4)
        guard let window = glfwCreateWindow(Int32(width), Int32(height), title, nil, nil) else {
            let message = Self.lastGLFWError()
            glfwTerminate()
            throw WorldModelError("cannot open an OpenGL window: \(message)")
        }
        self.window = window
        glfwMakeContextCurrent(window)
        glfwSwapInterval(visible ? 1 : 0)  // Hidden windows render as fast as they can.
        glEnable(GLenum(GL_MULTISAMPLE))
        let scene = session.scene, start = session.groundTruth.observation
        camera = OrbitCamera.framing(points: scene.movingBodyIndices.filter { $0 != 0 }.map { start.bodyPositions[$0] })
        renderer = SceneRenderer(scene: scene, colors: scene.geoms.indices.map { session.groundTruth.simulation.displayColor(ofGeom: $0) })
    }

    deinit {
        glfwDestroyWindow(window)
        glfwTerminate()
    }

    /// The framebuffer size in pixels (can differ from the window size on high-density screens).
    public var framebufferSize: (width: Int, height: Int) {
        var w: Int32 = 0, h: Int32 = 0
        glfwGetFramebufferSize(window, &w, &h)
        return (Int(w), Int(h))
    }

    /// Draws `session` once into the back buffer.
    public func render(_ session: ViewerSession) {
        let (w, h) = framebufferSize
        if let fieldInset, fieldShown {
            framesSinceInset += 1
            if insetImage == nil || framesSinceInset >= insetEveryFrames {
                insetImage = fieldInset.image(of: Self.insetSource(session), size: insetSize)
                framesSinceInset = 0
            }
        }
        let legend = ViewerLegend.lines(session: session, paused: paused, speed: speed, fieldShown: fieldShown,
                                        field: fieldInset.map { ($0.fields, Self.insetSource(session).label) })
        renderer.draw(session, camera: camera, width: w, height: h, overlay: legend, footer: ViewerLegend.keys,
                      inset: fieldShown ? insetImage : nil)
    }

    /// The source the inset shows: the last one (the learned rollout, when loaded), else the ground truth.
    static func insetSource(_ session: ViewerSession) -> any PoseSource { session.sources[session.sources.count - 1] }

    /// Renders the inset now, before the next `render` (the screenshot's last frame shows the newest poses).
    public func refreshInset() { insetImage = nil }

    /// Shows the frame drawn by `render` (swaps the buffers), so the driver can finish and recycle it.
    public func present() {
        glfwSwapBuffers(window)
    }

    /// The back buffer as an RGB image, top row first (call after `render`, before swapping).
    public func screenshot() -> RGBImage {
        let (w, h) = framebufferSize
        var bottomUp = [UInt8](repeating: 0, count: w * h * 3)
        glFinish()
        glReadBuffer(GLenum(GL_BACK))
        glPixelStorei(GLenum(GL_PACK_ALIGNMENT), 1)
        glReadPixels(0, 0, GLsizei(w), GLsizei(h), GLenum(GL_RGB), GLenum(GL_UNSIGNED_BYTE), &bottomUp)
        var image = RGBImage(width: w, height: h)
        let row = w * 3
        for y in 0..<h {
            image.pixels.replaceSubrange((y * row)..<((y + 1) * row), with: bottomUp[((h - 1 - y) * row)..<((h - y) * row)])
        }
        return image
    }

    /// Shows `session` until the window closes, advancing it in real time scaled by the speed.
    public func run(_ session: ViewerSession) throws {
        self.session = session
        defer { self.session = nil }
        glfwSetWindowUserPointer(window, Unmanaged.passUnretained(self).toOpaque())
        glfwSetKeyCallback(window) { window, key, _, action, _ in
            guard action == GLFW_PRESS || action == GLFW_REPEAT, let me = ViewerWindow.owner(of: window),
                  let session = me.session else { return }
            me.handleKey(key, session: session)
        }
        glfwSetScrollCallback(window) { window, _, dy in
            ViewerWindow.owner(of: window)?.camera.zoom(steps: Float(dy))
        }
        lastCursor = cursorPosition()
        var accumulated = 0.0, last = glfwGetTime()
        let dt = session.scene.controlDtSeconds
        while glfwWindowShouldClose(window) == 0 {
            glfwPollEvents()
            if let error = pendingError { throw error }
            followMouse()
            session.keyboardCommand = keyboardCommand()
            let now = glfwGetTime()
            if !paused { accumulated += (now - last) * speed }
            last = now
            var steps = 0
            while accumulated >= dt, steps < 50 {
                try session.advance()
                accumulated -= dt
                steps += 1
            }
            if steps == 50 { accumulated = 0 }
            if singleStepRequested {
                singleStepRequested = false
                try session.advance()
            }
            render(session)
            present()
        }
    }

    private static func owner(of window: OpaquePointer?) -> ViewerWindow? {
        guard let pointer = glfwGetWindowUserPointer(window) else { return nil }
        return Unmanaged<ViewerWindow>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// What a key press does to the view and to `session` (GLFW key codes).
    func handleKey(_ key: Int32, session: ViewerSession) {
        switch key {
        case GLFW_KEY_SPACE: paused.toggle()
        case GLFW_KEY_PERIOD:
            paused = true
            singleStepRequested = true
        case GLFW_KEY_R:
            do {
                try session.reset()
                singleStepRequested = false
            } catch {
                pendingError = error
            }
        case GLFW_KEY_EQUAL, GLFW_KEY_KP_ADD: speed = min(speed * 2, 16)
        case GLFW_KEY_MINUS, GLFW_KEY_KP_SUBTRACT: speed = max(speed / 2, 1.0 / 16)
        case GLFW_KEY_G: session.shown[0].toggle()
        case GLFW_KEY_L: for k in session.shown.indices.dropFirst() { session.shown[k].toggle() }
        case GLFW_KEY_F: fieldShown.toggle()
        case GLFW_KEY_Q, GLFW_KEY_ESCAPE: glfwSetWindowShouldClose(window, GLFW_TRUE)
        default: break
        }
    }

    private func followMouse() {
        let cursor = cursorPosition()
        let d = SIMD2<Float>(cursor - lastCursor)
        lastCursor = cursor
        if glfwGetMouseButton(window, GLFW_MOUSE_BUTTON_LEFT) == GLFW_PRESS { camera.orbit(dx: d.x, dy: d.y) }
        if glfwGetMouseButton(window, GLFW_MOUSE_BUTTON_RIGHT) == GLFW_PRESS { camera.pan(dx: d.x, dy: d.y) }
    }

    private func cursorPosition() -> SIMD2<Double> {
        var x = 0.0, y = 0.0
        glfwGetCursorPos(window, &x, &y)
        return SIMD2(x, y)
    }

    /// The arrow keys as a direction in the world's (x, y), each component in [-1, 1].
    private func keyboardCommand() -> SIMD2<Float> {
        func down(_ key: Int32) -> Float { glfwGetKey(window, key) == GLFW_PRESS ? 1 : 0 }
        return SIMD2(down(GLFW_KEY_RIGHT) - down(GLFW_KEY_LEFT), down(GLFW_KEY_UP) - down(GLFW_KEY_DOWN))
    }

    private static func lastGLFWError() -> String {
        var description: UnsafePointer<CChar>?
        let code = glfwGetError(&description)
        guard code != GLFW_NO_ERROR, let description else { return "unknown GLFW error" }
        return String(cString: description)
    }
}
#endif
