import Testing
import WorldModel

@Suite struct ResourceBudgetTests {
    @Test func arithmeticSaturatesInsteadOfTrapping() {
        #expect(ResourceBudget.product(3, 4, 5) == 60)
        #expect(ResourceBudget.product(2_000_000_000, 2_000_000_000, 2_000_000_000) == Int.max)
        #expect(ResourceBudget.product(-5, 3) == 0)
        #expect(ResourceBudget.sum(Int.max, 1) == Int.max)
        #expect(ResourceBudget.sum(1, 2, 3) == 6)
    }

    @Test func bytesReadAsDecimalUnits() {
        #expect(ResourceBudget.formatBytes(999) == "999 bytes")
        #expect(ResourceBudget.formatBytes(1_234_567) == "1.2 MB")
        #expect(ResourceBudget.formatBytes(Int.max) == "more than 9.2 EB")
    }

    @Test func absurdNeedsAreOneLineWithBothNumbers() throws {
        #expect(ResourceBudget.physicalMemoryBytes > 0)
        let memory = #expect(throws: WorldModelError.self) {
            try ResourceBudget.checkMemory(bytes: Int.max, for: "a test", file: "/tmp/x")
        }
        #expect(memory?.description.hasPrefix("/tmp/x: a test needs more than 9.2 EB of memory, this machine has ") == true)
        let disk = #expect(throws: WorldModelError.self) { try ResourceBudget.checkDisk(bytes: Int.max, output: "/tmp/x.wmds") }
        #expect(disk?.description.contains("its file system has") == true && disk?.description.contains(" free") == true)
        try ResourceBudget.checkMemory(bytes: 1024, for: "a test")
        try ResourceBudget.checkDisk(bytes: 1024, output: "/tmp/x.wmds")
    }
}
