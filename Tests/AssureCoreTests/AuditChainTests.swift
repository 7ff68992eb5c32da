import Crypto
import XCTest
@testable import AssureCore

final class AuditChainTests: XCTestCase {
    private func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var previous = AuditEntry.genesisHash
        for index in 1...count {
            let event = AuditEvent(actor: "cli", organisationCode: "T91", action: "update", entityType: "organisation", entityID: "T91",
                                   changes: ["name": .init(before: "Old \(index)", after: "New \(index)")], requestID: nil, clientAddress: "127.0.0.1", recordedAt: Date(timeIntervalSince1970: Double(index)))
            let entry = event.chained(sequence: Int64(index), after: previous)
            entries.append(entry)
            previous = entry.hash
        }
        return entries
    }

    private func verify(_ entries: [AuditEntry], head: AuditEntry?) -> AuditChainVerifier {
        var verifier = AuditChainVerifier()
        entries.forEach { verifier.check($0) }
        verifier.finish(headSequence: head?.sequence ?? 0, headHash: head?.hash ?? AuditEntry.genesisHash)
        return verifier
    }

    func testAnIntactChainVerifies() {
        let entries = chain(5)
        let verifier = verify(entries, head: entries.last)
        XCTAssertNil(verifier.firstBreak)
        XCTAssertEqual(verifier.verified, 5)
        XCTAssertEqual(entries[0].hash.count, 64)
        XCTAssertNotEqual(entries[0].hash, entries[1].hash)
    }

    func testAnEditedEntryIsFound() {
        var entries = chain(5)
        entries[2].changes = #"{"name":{"after":"Forged","before":"Old 3"}}"#
        XCTAssertEqual(verify(entries, head: entries.last).firstBreak, .altered(sequence: 3))
    }

    func testADeletedEntryIsFound() {
        var entries = chain(5)
        let head = entries.last
        entries.remove(at: 1)
        XCTAssertEqual(verify(entries, head: head).firstBreak, .unlinked(sequence: 3, expectedSequence: 2))
    }

    func testReorderedEntriesAreFound() {
        var entries = chain(5)
        let head = entries.last
        // Swap entries 2 and 3 and renumber them so the sequence looks continuous.
        entries.swapAt(1, 2)
        entries[1].sequence = 2
        entries[2].sequence = 3
        XCTAssertEqual(verify(entries, head: head).firstBreak, .unlinked(sequence: 2, expectedSequence: 2))
    }

    func testRemovingTheLastEntriesIsFoundThroughTheHead() {
        let entries = chain(5)
        XCTAssertEqual(verify(Array(entries.prefix(3)), head: entries.last).firstBreak, .truncated(lastSequence: 3, headSequence: 5))
    }

    func testTheCanonicalFormIsFixed() {
        let entry = AuditEntry(sequence: 7, recordedAt: "2026-11-22T03:00:00.000Z", actor: "a\"b\\c", organisationCode: nil,
                               action: "update", entityType: "organisation", entityID: "T91", changes: "{\"x\":1}",
                               requestID: "line\nbreak", clientAddress: "é", previousHash: AuditEntry.genesisHash, hash: "")
        XCTAssertEqual(entry.canonicalForm,
                       #"[7,"2026-11-22T03:00:00.000Z","a\"b\\c",null,"update","organisation","T91","{\"x\":1}","line\u000abreak","é"]"#)
        // Pinned so a change to the canonical form (which would break every stored chain) fails here.
        XCTAssertEqual(entry.computedHash().count, 64)
        XCTAssertEqual(entry.computedHash(), AuditEntry.hex(SHA256.hash(data: Array((AuditEntry.genesisHash + "\n" + entry.canonicalForm).utf8))))
    }

    func testDifferenceKeepsOnlyChangedFields() {
        let changes = AuditEvent.difference(before: ["name": "A", "type": "trust", "dspt_category": nil],
                                            after: ["name": "B", "type": "trust", "dspt_category": "1"])
        XCTAssertEqual(changes, ["name": .init(before: "A", after: "B"), "dspt_category": .init(before: nil, after: "1")])
        XCTAssertEqual(AuditEvent.canonicalJSON(changes), #"{"dspt_category":{"after":"1","before":null},"name":{"after":"B","before":"A"}}"#)
    }
}

final class CanonicalChangesTests: XCTestCase {
    /// The hand-written canonical form is valid JSON that reads back to the same changes.
    func testCanonicalChangesAreJSONThatReadsBack() throws {
        let changes: [String: AuditEvent.FieldChange] = [
            "zeta": .init(before: nil, after: "line one\nline \"two\"\t\\ /path é 😀 \u{01}"), "alpha": .init(before: "A", after: nil),
        ]
        let json = AuditEvent.canonicalJSON(changes)
        XCTAssertTrue(json.hasPrefix(#"{"alpha":{"after":null,"before":"A"},"zeta":"#))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: Any]])
        XCTAssertEqual(object["zeta"]?["after"] as? String, "line one\nline \"two\"\t\\ /path é 😀 \u{01}")
        XCTAssertTrue(object["alpha"]?["after"] is NSNull)
    }
}
