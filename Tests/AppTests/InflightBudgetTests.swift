import SystemInfo
import Testing

@testable import App

@Suite struct InflightBudgetTests {
    @Test func refusesPastTheRequestLimitAndAdmitsAgainAfterRelease() {
        let budget = InflightBudget(maxRequests: 2, maxBytes: 1 << 30)
        #expect(budget.acquire(bytes: 10))
        #expect(budget.acquire(bytes: 10))
        #expect(!budget.acquire(bytes: 10))
        #expect(budget.current == .init(requests: 2, bytes: 20))
        budget.release(bytes: 10)
        #expect(budget.acquire(bytes: 10))
        budget.release(bytes: 10)
        budget.release(bytes: 10)
        #expect(budget.current == .init(requests: 0, bytes: 0))
    }

    @Test func refusesPastTheByteBudgetButAlwaysAdmitsOneRequest() {
        let budget = InflightBudget(maxRequests: 10, maxBytes: 100)
        #expect(budget.acquire(bytes: 1000))  // alone: admitted even though it exceeds the bytes
        #expect(!budget.acquire(bytes: 1))
        budget.release(bytes: 1000)
        #expect(budget.acquire(bytes: 60))
        #expect(!budget.acquire(bytes: 41))
        #expect(budget.acquire(bytes: 40))
        #expect(budget.current == .init(requests: 2, bytes: 100))
    }

    @Test func concurrentAcquireNeverExceedsTheLimit() async {
        let budget = InflightBudget(maxRequests: 3, maxBytes: 1 << 30)
        let peak = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    var seen = 0
                    for _ in 0..<200 where budget.acquire(bytes: 1) {
                        seen = max(seen, budget.current.requests)
                        budget.release(bytes: 1)
                    }
                    return seen
                }
            }
            return await group.reduce(0, max)
        }
        #expect(peak <= 3)
        #expect(budget.current == .init(requests: 0, bytes: 0))
    }

    @Test func configurationDefaultsScaleWithCores() {
        let c = AppConfiguration()
        #expect(c.maxInflight == 8 * SystemInfo.coreCount)
        #expect(c.maxInflightBytes == 512 * 1024 * 1024)
        #expect(c.loggable["max_inflight"] == "\(c.maxInflight)")
    }
}
