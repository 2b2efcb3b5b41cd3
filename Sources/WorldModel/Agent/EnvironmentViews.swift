extension PinholeCamera {
    /// A 128 x 96 view of the table from the front, above: what `Environment.render(camera:)` examples use.
    ///
    /// ```swift
    /// try PNGFile.write(environment.render(camera: .tableOverview), to: "/tmp/view.png")
    /// ```
    public static let tableOverview = PinholeCamera(lookFrom: [0, -0.62, 0.62], at: .zero, fieldOfViewDegrees: 50, width: 128, height: 96)
}
