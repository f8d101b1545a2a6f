import Foundation
import ParleyAPI
import ParleyStore
import Testing

/// Hybrid ranking: reciprocal rank fusion puts a line found both ways first, keeps the
/// keyword hit's highlighted snippet, and still shows lines found only one way.
@Suite struct SearchFusionTests {
    func hit(_ id: Int64, _ snippet: String = "") -> SearchHit {
        SearchHit(
            meetingId: "m", meetingTitle: "t", segmentId: id, kind: "transcript", start: Double(id), end: Double(id) + 1,
            speakerId: "speaker_1", speakerName: "Speaker 1", snippet: snippet, score: 0)
    }

    @Test func bothWaysRanksFirstAndKeepsTheMarks() {
        let keyword = [hit(1, "<mark>ship</mark> it"), hit(2, "<mark>ship</mark>ping"), hit(3)]
        let semantic = [hit(4), hit(2, "shipping"), hit(5)]
        let fused = SearchRepository.fuse(keyword: keyword, semantic: semantic, limit: 10)
        #expect(fused.first?.segmentId == 2 && fused.first?.snippet == "<mark>ship</mark>ping")
        #expect(Set(fused.map(\.segmentId)) == [1, 2, 3, 4, 5])
        #expect(zip(fused, fused.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(SearchRepository.fuse(keyword: keyword, semantic: semantic, limit: 2).count == 2)
    }

    @Test func oneSideEmptyIsThatSidesOrder() {
        let semantic = [hit(7), hit(8), hit(9)]
        #expect(SearchRepository.fuse(keyword: [], semantic: semantic, limit: 10).map(\.segmentId) == [7, 8, 9])
    }
}

extension SearchFusionTests {
    @Test func tiesKeepTheKeywordOrderEveryTime() {
        let keyword = (1...20).map { hit(Int64($0)) }
        let first = SearchRepository.fuse(keyword: keyword, semantic: keyword, limit: 20).map(\.segmentId)
        #expect(first == Array(1...20))
        for _ in 0..<20 { #expect(SearchRepository.fuse(keyword: keyword, semantic: keyword, limit: 20).map(\.segmentId) == first) }
    }
}
