@preconcurrency import CMuJoCo

extension MuJoCoSimulation {
    /// The colour (r, g, b, a) MuJoCo draws geom `g` with: its material's `rgba` when it has a material and no
    /// `rgba` of its own (the compiled default 0.5 0.5 0.5 1), else its `rgba` (MJCF's precedence rule). The
    /// dm_control scenes colour their geoms through materials.
    public func displayColor(ofGeom g: Int) -> SIMD4<Float> {
        let m = model.pointee
        let own = SIMD4(m.geom_rgba[4 * g], m.geom_rgba[4 * g + 1], m.geom_rgba[4 * g + 2], m.geom_rgba[4 * g + 3])
        let material = Int(m.geom_matid[g])
        guard material >= 0, own == SIMD4(0.5, 0.5, 0.5, 1) else { return own }
        return SIMD4(m.mat_rgba[4 * material], m.mat_rgba[4 * material + 1], m.mat_rgba[4 * material + 2], m.mat_rgba[4 * material + 3])
    }
}
