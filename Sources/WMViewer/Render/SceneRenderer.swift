#if Viewer
import CGLFW
import WorldModel

/// Draws a `ViewerSession` with legacy (compatibility profile) OpenGL: the table, every shown source's objects
/// as their primitives under their poses (learned sources translucent over the ground truth), the pusher,
/// and the on-screen text. Needs a current GL context.
final class SceneRenderer {
    private let objectMeshes: [TriangleMesh]
    private let robotMesh: TriangleMesh
    private let tableHalfWidthMeters: Float
    /// On-screen text size: screen pixels per font pixel.
    var textScale: Float = 2

    init(scene: SceneDescription) {
        objectMeshes = scene.objects.map { TriangleMesh(shape: $0.shape, halfExtentsMeters: $0.halfExtentsMeters) }
        robotMesh = TriangleMesh(shape: scene.robot.shape, halfExtentsMeters: scene.robot.halfExtentsMeters)
        let reach = scene.robotJointRange.map { max(abs($0.lowerBound), abs($0.upperBound)) }.max() ?? 0.35
        tableHalfWidthMeters = reach + 0.15
    }

    /// Draws one frame into the current framebuffer of `width` x `height` pixels.
    /// `inset`: an RGB picture (top row first) drawn at its size in the top-right corner, over the scene.
    func draw(_ session: ViewerSession, camera: OrbitCamera, width: Int, height: Int, overlay: [String], footer: String,
              inset: RGBImage? = nil) {
        glViewport(0, 0, GLsizei(width), GLsizei(height))
        glClearColor(0.93, 0.94, 0.96, 1)
        glClear(GLbitfield(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT))
        glEnable(GLenum(GL_DEPTH_TEST))
        glDisable(GLenum(GL_CULL_FACE))
        glMatrixMode(GLenum(GL_PROJECTION))
        glLoadMatrixf(camera.projectionMatrix(aspect: Float(width) / Float(max(height, 1))).elements)
        glMatrixMode(GLenum(GL_MODELVIEW))
        glLoadMatrixf(camera.viewMatrix.elements)
        setUpLighting()

        let scene = session.scene
        drawTable(heightMeters: scene.tableHeightMeters)
        glEnableClientState(GLenum(GL_VERTEX_ARRAY))
        glEnableClientState(GLenum(GL_NORMAL_ARRAY))
        for (index, source) in session.sources.enumerated() where session.shown[index] {
            let translucent = index > 0
            if translucent {
                glEnable(GLenum(GL_BLEND))
                glBlendFunc(GLenum(GL_SRC_ALPHA), GLenum(GL_ONE_MINUS_SRC_ALPHA))
                glDepthMask(GLboolean(GL_FALSE))
            }
            let alpha: Float = translucent ? 0.45 : 1
            for (i, object) in scene.objects.enumerated() {
                glColor4f(object.rgba[0], object.rgba[1], object.rgba[2], alpha)
                drawMesh(objectMeshes[i], pose: .pose(position: source.position(ofObject: i), quaternion: source.quaternion(ofObject: i)))
            }
            let r = source.robotState
            glColor4f(0.85, 0.20, 0.15, alpha)
            drawMesh(robotMesh, pose: .pose(position: SIMD3(r[0], r[1], scene.robot.shapeCentreHeightMeters), quaternion: [1, 0, 0, 0]))
            if translucent {
                glDepthMask(GLboolean(GL_TRUE))
                glDisable(GLenum(GL_BLEND))
            }
        }
        glDisableClientState(GLenum(GL_NORMAL_ARRAY))
        glDisableClientState(GLenum(GL_VERTEX_ARRAY))
        drawText(overlay, footer: footer, width: width, height: height)
        if let inset { drawInset(inset, width: width, height: height) }
    }

    /// `image` 8 pixels from the top-right corner, after `drawText` (its projection counts pixels from the top
    /// left): the raster position is the image's top-left pixel and a zoom of -1 writes its rows downwards.
    private func drawInset(_ image: RGBImage, width: Int, height: Int) {
        glDisable(GLenum(GL_LIGHTING))
        glDisable(GLenum(GL_DEPTH_TEST))
        glRasterPos2f(Float(max(0, width - image.width - 8)), 8)
        glPixelZoom(1, -1)
        glPixelStorei(GLenum(GL_UNPACK_ALIGNMENT), 1)
        image.pixels.withUnsafeBufferPointer { p in
            glDrawPixels(GLsizei(image.width), GLsizei(image.height), GLenum(image.channels == 4 ? GL_RGBA : GL_RGB),
                         GLenum(GL_UNSIGNED_BYTE), p.baseAddress)
        }
        glPixelZoom(1, 1)
        glEnable(GLenum(GL_DEPTH_TEST))
        glEnable(GLenum(GL_LIGHTING))
    }

    private func setUpLighting() {
        glEnable(GLenum(GL_LIGHTING))
        glEnable(GLenum(GL_LIGHT0))
        glEnable(GLenum(GL_NORMALIZE))
        glEnable(GLenum(GL_COLOR_MATERIAL))
        glColorMaterial(GLenum(GL_FRONT_AND_BACK), GLenum(GL_AMBIENT_AND_DIFFUSE))
        glLightModeli(GLenum(GL_LIGHT_MODEL_TWO_SIDE), GL_TRUE)
        // A directional light from above and in front (world frame: set after the view matrix).
        let direction: [Float] = [0.3, -0.6, 1, 0], ambient: [Float] = [0.45, 0.45, 0.45, 1], diffuse: [Float] = [0.6, 0.6, 0.6, 1]
        let global: [Float] = [0, 0, 0, 1]
        glLightfv(GLenum(GL_LIGHT0), GLenum(GL_POSITION), direction)
        glLightfv(GLenum(GL_LIGHT0), GLenum(GL_AMBIENT), ambient)
        glLightfv(GLenum(GL_LIGHT0), GLenum(GL_DIFFUSE), diffuse)
        glLightModelfv(GLenum(GL_LIGHT_MODEL_AMBIENT), global)
    }

    private func drawTable(heightMeters z: Float) {
        let w = tableHalfWidthMeters
        glColor4f(0.78, 0.76, 0.70, 1)
        glBegin(GLenum(GL_QUADS))
        glNormal3f(0, 0, 1)
        glVertex3f(-w, -w, z); glVertex3f(w, -w, z); glVertex3f(w, w, z); glVertex3f(-w, w, z)
        glEnd()
        // A 10 cm grid just above the table, unlit, for a sense of scale.
        glDisable(GLenum(GL_LIGHTING))
        glColor4f(0.66, 0.64, 0.58, 1)
        glBegin(GLenum(GL_LINES))
        let lines = Int((w / 0.1).rounded(.down))
        for k in -lines...lines {
            let c = Float(k) * 0.1
            glVertex3f(c, -w, z + 0.0005); glVertex3f(c, w, z + 0.0005)
            glVertex3f(-w, c, z + 0.0005); glVertex3f(w, c, z + 0.0005)
        }
        glEnd()
        glEnable(GLenum(GL_LIGHTING))
    }

    private func drawMesh(_ mesh: TriangleMesh, pose: Matrix4) {
        glPushMatrix()
        glMultMatrixf(pose.elements)
        mesh.positions.withUnsafeBufferPointer { p in
            mesh.normals.withUnsafeBufferPointer { n in
                glVertexPointer(3, GLenum(GL_FLOAT), 0, p.baseAddress)
                glNormalPointer(GLenum(GL_FLOAT), 0, n.baseAddress)
                glDrawArrays(GLenum(GL_TRIANGLES), 0, GLsizei(mesh.vertexCount))
            }
        }
        glPopMatrix()
    }

    /// The overlay lines from the top-left corner and the footer at the bottom, in dark text on a light band.
    private func drawText(_ lines: [String], footer: String, width: Int, height: Int) {
        glDisable(GLenum(GL_LIGHTING))
        glDisable(GLenum(GL_DEPTH_TEST))
        glMatrixMode(GLenum(GL_PROJECTION))
        glLoadMatrixf(Matrix4.pixels(width: Float(width), height: Float(height)).elements)
        glMatrixMode(GLenum(GL_MODELVIEW))
        glLoadIdentity()
        let s = textScale, lineHeight = Float(BitmapFont.glyphHeight + 4) * s
        glColor4f(0.12, 0.13, 0.16, 1)
        glBegin(GLenum(GL_QUADS))
        for (row, line) in lines.enumerated() {
            drawDots(line, x: 8, y: 8 + Float(row) * lineHeight, scale: s)
        }
        drawDots(footer, x: 8, y: Float(height) - 8 - Float(BitmapFont.glyphHeight) * s, scale: s)
        glEnd()
        glEnable(GLenum(GL_DEPTH_TEST))
    }

    private func drawDots(_ text: String, x: Float, y: Float, scale s: Float) {
        for dot in BitmapFont.dots(in: text) {
            let px = x + Float(dot.x) * s, py = y + Float(dot.y) * s
            glVertex2f(px, py); glVertex2f(px + s, py); glVertex2f(px + s, py + s); glVertex2f(px, py + s)
        }
    }
}
#endif
