#if Viewer
import CGLFW
import WorldModel

/// Draws a `ViewerSession` with legacy (compatibility profile) OpenGL: every geom of the scene (`SceneModel.geoms`:
/// planes, boxes, spheres, capsules, cylinders, ellipsoids) under its body's pose, in the colour MuJoCo draws it
/// (`MuJoCoSimulation.displayColor(ofGeom:)`). The static world (floor, walls, table) once, from the ground truth;
/// the moving bodies of every shown source (learned sources translucent over the ground truth); the on-screen
/// text. Needs a current GL context.
final class SceneRenderer {
    /// Per geom: its mesh in the geom frame (nil for planes and invisible geoms), the scale applied to it
    /// (an ellipsoid's radii on a unit sphere, else 1) and its colour.
    private let meshes: [TriangleMesh?]
    private let scales: [SIMD3<Float>]
    private let colors: [SIMD4<Float>]
    private let scene: SceneModel
    /// Half-size (m) of a plane drawn for an infinite MJCF plane (size 0).
    static let infinitePlaneHalfMeters: Float = 1.5
    /// On-screen text size: screen pixels per font pixel.
    var textScale: Float = 2

    init(scene: SceneModel, colors: [SIMD4<Float>]) {
        self.scene = scene
        self.colors = colors
        var meshes: [TriangleMesh?] = [], scales: [SIMD3<Float>] = []
        for (g, geom) in scene.geoms.enumerated() {
            let s = geom.size + [0, 0, 0]
            var scale = SIMD3<Float>(1, 1, 1), mesh: TriangleMesh?
            switch geom.shape {
            case .plane: mesh = nil
            case .sphere: mesh = TriangleMesh(shape: .sphere, halfExtentsMeters: [s[0]])
            case .ellipsoid:
                mesh = TriangleMesh(shape: .sphere, halfExtentsMeters: [1])
                scale = SIMD3(s[0], s[1], s[2])
            case .capsule: mesh = TriangleMesh(shape: .capsule, halfExtentsMeters: [s[0], s[1]])
            case .cylinder: mesh = TriangleMesh(shape: .cylinder, halfExtentsMeters: [s[0], s[1]])
            case .box: mesh = TriangleMesh(shape: .box, halfExtentsMeters: [s[0], s[1], s[2]])
            }
            meshes.append(colors[g][3] > 0 ? mesh : nil)
            scales.append(scale)
        }
        self.meshes = meshes
        self.scales = scales
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

        let world = session.groundTruth.observation
        for (g, geom) in scene.geoms.enumerated() where geom.shape == .plane && scene.bodies[geom.body].isStatic && colors[g][3] > 0 {
            drawPlane(geom, color: colors[g], pose: geom.worldPose(bodyPosition: world.bodyPositions[geom.body], bodyQuaternion: world.bodyQuaternions[geom.body]))
        }
        glEnableClientState(GLenum(GL_VERTEX_ARRAY))
        glEnableClientState(GLenum(GL_NORMAL_ARRAY))
        drawGeoms(of: world, alpha: 1, where: { self.scene.bodies[$0].isStatic })
        for (index, source) in session.sources.enumerated() where session.shown[index] {
            let translucent = index > 0
            if translucent {
                glEnable(GLenum(GL_BLEND))
                glBlendFunc(GLenum(GL_SRC_ALPHA), GLenum(GL_ONE_MINUS_SRC_ALPHA))
                glDepthMask(GLboolean(GL_FALSE))
            }
            drawGeoms(of: source.observation, alpha: translucent ? 0.45 : 1, where: { !self.scene.bodies[$0].isStatic })
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

    /// The meshed geoms of the bodies `include` accepts, at `observation`'s body poses.
    private func drawGeoms(of observation: Observation, alpha: Float, where include: (Int) -> Bool) {
        for (g, geom) in scene.geoms.enumerated() where include(geom.body) {
            guard let mesh = meshes[g] else { continue }
            let b = geom.body
            let pose = geom.worldPose(bodyPosition: observation.bodyPositions[b], bodyQuaternion: observation.bodyQuaternions[b])
            let c = colors[g]
            glColor4f(c[0], c[1], c[2], alpha * c[3])
            drawMesh(mesh, pose: .pose(position: pose.position, quaternion: pose.quaternion), scale: scales[g])
        }
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

    /// A static plane as the rectangle of its MJCF half-sizes (`infinitePlaneHalfMeters` for an infinite one) in its
    /// own x-y plane, with a 10 cm grid just in front of it for a sense of scale.
    private func drawPlane(_ geom: SceneModel.Geom, color c: SIMD4<Float>, pose: (position: SIMD3<Float>, quaternion: SIMD4<Float>)) {
        let hx = geom.size[0] > 0 ? geom.size[0] : Self.infinitePlaneHalfMeters, hy = geom.size[1] > 0 ? geom.size[1] : Self.infinitePlaneHalfMeters
        glPushMatrix()
        glMultMatrixf(Matrix4.pose(position: pose.position, quaternion: pose.quaternion).elements)
        glColor4f(c[0], c[1], c[2], 1)
        glBegin(GLenum(GL_QUADS))
        glNormal3f(0, 0, 1)
        glVertex3f(-hx, -hy, 0); glVertex3f(hx, -hy, 0); glVertex3f(hx, hy, 0); glVertex3f(-hx, hy, 0)
        glEnd()
        glDisable(GLenum(GL_LIGHTING))
        glColor4f(c[0] * 0.85, c[1] * 0.85, c[2] * 0.85, 1)
        glBegin(GLenum(GL_LINES))
        let z: Float = 0.0005
        for k in -Int((hx / 0.1).rounded(.down))...Int((hx / 0.1).rounded(.down)) {
            glVertex3f(Float(k) * 0.1, -hy, z); glVertex3f(Float(k) * 0.1, hy, z)
        }
        for k in -Int((hy / 0.1).rounded(.down))...Int((hy / 0.1).rounded(.down)) {
            glVertex3f(-hx, Float(k) * 0.1, z); glVertex3f(hx, Float(k) * 0.1, z)
        }
        glEnd()
        glEnable(GLenum(GL_LIGHTING))
        glPopMatrix()
    }

    private func drawMesh(_ mesh: TriangleMesh, pose: Matrix4, scale: SIMD3<Float>) {
        glPushMatrix()
        glMultMatrixf(pose.elements)
        if scale != SIMD3(1, 1, 1) { glScalef(scale.x, scale.y, scale.z) }
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
