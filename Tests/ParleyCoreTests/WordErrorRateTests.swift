import ParleyTesting
import Testing

@Suite struct WordErrorRateTests {
    @Test func countsSubstitutionsDeletionsAndInsertions() {
        #expect(WordErrorRate.of(hypothesis: "The cat sat.", reference: "the cat sat") == 0)
        #expect(WordErrorRate.of(hypothesis: "the dog sat", reference: "the cat sat") == 1.0 / 3)
        #expect(WordErrorRate.of(hypothesis: "the cat", reference: "the cat sat") == 1.0 / 3)
        #expect(WordErrorRate.of(hypothesis: "the big cat sat down", reference: "the cat sat") == 2.0 / 3)
    }
}
