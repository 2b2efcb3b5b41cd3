extension DatasetFormat {
    /// The bytes of a dataset file of `episodes` episodes of `framesPerEpisode` frames, `objects` objects and
    /// `actionDimension` action components, with a header holding `mjcfByteCount` bytes of MJCF: the layout of
    /// ``episodeBlockByteCount(_:)`` in saturating arithmetic, so it can be asked before a header exists and
    /// absurd counts give `Int.max` instead of a trap. The header is bounded by its MJCF, a split name per episode
    /// and 64 kB for the rest.
    public static func plannedFileByteCount(episodes: Int, framesPerEpisode f: Int, objects n: Int, actionDimension a: Int,
                                            mjcfByteCount: Int) -> Int {
        typealias B = ResourceBudget
        let block = B.sum(B.product(4, B.sum(B.product(f, n, objectStateWidth), B.product(f, robotStateWidth), B.product(f - 1, a), f)), 4)
        let header = B.sum(B.product(2, mjcfByteCount), B.product(episodes, 10), 65_536)
        return B.sum(preambleByteCount, header, B.product(episodes, block))
    }

    /// Throws naming `path` when such a dataset would not fit on its file system, or its header and one episode
    /// (what a writer holds) not in memory; call it before recording anything.
    public static func checkBudget(path: String, episodes: Int, framesPerEpisode: Int, objects: Int, actionDimension: Int,
                                   mjcfByteCount: Int) throws {
        let oneEpisode = plannedFileByteCount(episodes: 1, framesPerEpisode: framesPerEpisode, objects: objects,
                                              actionDimension: actionDimension, mjcfByteCount: mjcfByteCount)
        let headerAndSplits = ResourceBudget.product(episodes, 64)
        try ResourceBudget.checkDisk(bytes: plannedFileByteCount(episodes: episodes, framesPerEpisode: framesPerEpisode, objects: objects,
                                                                 actionDimension: actionDimension, mjcfByteCount: mjcfByteCount), output: path)
        try ResourceBudget.checkMemory(bytes: ResourceBudget.sum(ResourceBudget.product(3, oneEpisode), headerAndSplits),
                                       for: "writing \(episodes) episodes of \(framesPerEpisode) frames", file: path)
    }
}
