import Foundation

/// The arithmetic of search by meaning: int8 quantization, a SIMD dot product, the scan of
/// a meeting's rows and a bounded best-k list. A module of its own so Package.swift can
/// compile it optimized in debug builds too: unoptimized generic SIMD code runs about a
/// hundred times slower, which would make every debug server's meaning search crawl.
public enum VectorMath {
    /// Symmetric int8 codes of a vector and the scale that maps them back (max |x| → 127).
    public static func quantize(_ vector: [Float]) -> (codes: [Int8], scale: Float) {
        let largest = vector.reduce(Float(0)) { max($0, abs($1)) }
        guard largest > 0 else { return ([Int8](repeating: 0, count: vector.count), 0) }
        let factor = 127 / largest
        return (vector.map { Int8(($0 * factor).rounded()) }, largest / 127)
    }

    /// The same, from float16 little-endian bytes (how the index stage stores vectors).
    public static func quantize(float16 data: Data) -> (codes: [Int8], scale: Float) {
        let floats = data.withUnsafeBytes { raw in
            (0..<(raw.count / 2)).map {
                Float(Float16(bitPattern: UInt16(littleEndian: raw.load(fromByteOffset: $0 * 2, as: UInt16.self))))
            }
        }
        return quantize(floats)
    }

    /// Dot product of a float vector with float16 little-endian bytes of the same length
    /// (the cosine, for unit vectors); -1 when the lengths differ.
    public static func dot(_ query: [Float], float16 stored: Data) -> Double {
        guard stored.count == query.count * 2 else { return -1 }
        return stored.withUnsafeBytes { raw in
            query.withUnsafeBufferPointer { q in
                var sum: Float = 0
                for index in 0..<q.count {
                    let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
                    sum += q[index] * Float(Float16(bitPattern: bits))
                }
                return Double(sum)
            }
        }
    }

    /// Integer dot product of two int8 rows, 16 lanes at a time (`count` is a multiple of
    /// 16 for the sentence model's 384; a remainder is summed one by one).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ count: Int) -> Int32 {
        var lanes = SIMD16<Int32>()
        var index = 0
        while index + 16 <= count {
            let x = UnsafeRawPointer(a + index).loadUnaligned(as: SIMD16<Int8>.self)
            let y = UnsafeRawPointer(b + index).loadUnaligned(as: SIMD16<Int8>.self)
            lanes &+= SIMD16<Int32>(truncatingIfNeeded: x) &* SIMD16<Int32>(truncatingIfNeeded: y)
            index += 16
        }
        var sum = lanes.wrappedSum()
        while index < count {
            sum &+= Int32(a[index]) &* Int32(b[index])
            index += 1
        }
        return sum
    }

    /// Scores every row of one meeting (`codes` holds `ids.count` rows of `dimension`
    /// codes, `scales` one per row) against the query's codes and offers each to `best`;
    /// rows whose speaker is not `allowed` are skipped.
    public static func scan(
        query: [Int8], scale: Float, codes: [Int8], scales: [Float], ids: [Int64],
        speakerIndex: [UInt16], allowed: [Bool]?, into best: inout TopK
    ) {
        let dimension = query.count
        guard dimension > 0, codes.count == ids.count * dimension else { return }
        query.withUnsafeBufferPointer { q in
            codes.withUnsafeBufferPointer { rows in
                for row in 0..<ids.count {
                    if let allowed, !allowed[Int(speakerIndex[row])] { continue }
                    let dot = dot(q.baseAddress!, rows.baseAddress! + row * dimension, dimension)
                    best.add(Candidate(segmentId: ids[row], score: Float(dot) * scale * scales[row]))
                }
            }
        }
    }
}

/// A line and its approximate (int8) similarity to the query.
public struct Candidate: Sendable {
    public var segmentId: Int64
    public var score: Float
}

/// The `capacity` best candidates seen so far: a min-heap on score, so a candidate that
/// cannot enter costs one comparison.
public struct TopK: Sendable {
    public let capacity: Int
    private var heap: [Candidate] = []

    public init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(capacity)
    }

    public mutating func add(_ candidate: Candidate) {
        guard capacity > 0 else { return }
        if heap.count < capacity {
            heap.append(candidate)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child].score < heap[parent].score else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        } else if candidate.score > heap[0].score {
            heap[0] = candidate
            var parent = 0
            while true {
                let left = parent * 2 + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].score < heap[smallest].score { smallest = left }
                if right < heap.count, heap[right].score < heap[smallest].score { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
    }

    /// Best first; equal scores by segment id, so results do not vary between runs.
    public func sorted() -> [Candidate] {
        heap.sorted { $0.score != $1.score ? $0.score > $1.score : $0.segmentId < $1.segmentId }
    }
}
