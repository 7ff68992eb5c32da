import AssureCore
import Foundation
import XCTest

final class SingleSignOnRuleTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 2_000_000_000)

    func claims(_ change: (inout SingleSignOn.IDTokenClaims) -> Void = { _ in }) -> SingleSignOn.IDTokenClaims {
        var claims = SingleSignOn.IDTokenClaims(issuer: "https://idp.example/", audience: ["assure"], authorisedParty: nil,
                                                expiresAt: now.addingTimeInterval(300), issuedAt: now, nonce: "n-123", subject: "sub-1")
        change(&claims)
        return claims
    }

    func rejection(_ claims: SingleSignOn.IDTokenClaims) -> SingleSignOn.Rejection? {
        do { try SingleSignOn.check(claims, issuer: "https://idp.example", clientID: "assure", nonce: "n-123", now: now); return nil } catch { return error }
    }

    func testAcceptsAGoodTokenAndRefusesEachBadClaim() {
        XCTAssertNil(rejection(claims()))
        XCTAssertEqual(rejection(claims { $0.issuer = "https://other.example" }), .wrongIssuer("https://other.example"))
        XCTAssertEqual(rejection(claims { $0.issuer = nil }), .wrongIssuer(nil))
        XCTAssertEqual(rejection(claims { $0.audience = ["someone-else"] }), .wrongAudience)
        XCTAssertEqual(rejection(claims { $0.audience = ["assure", "other"] }), .wrongAudience, "several audiences need azp")
        XCTAssertNil(rejection(claims { $0.audience = ["assure", "other"]; $0.authorisedParty = "assure" }))
        XCTAssertEqual(rejection(claims { $0.expiresAt = self.now.addingTimeInterval(-61) }), .expired)
        XCTAssertNil(rejection(claims { $0.expiresAt = self.now.addingTimeInterval(-30) }), "within the clock leeway")
        XCTAssertEqual(rejection(claims { $0.expiresAt = nil }), .expired)
        XCTAssertEqual(rejection(claims { $0.issuedAt = self.now.addingTimeInterval(3600) }), .issuedInFuture)
        XCTAssertEqual(rejection(claims { $0.nonce = "n-999" }), .wrongNonce)
        XCTAssertEqual(rejection(claims { $0.nonce = nil }), .wrongNonce)
        XCTAssertEqual(rejection(claims { $0.subject = "" }), .noSubject)
    }

    func testPKCEChallengeMatchesRFC7636AppendixB() {
        XCTAssertEqual(SingleSignOn.codeChallenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    func testIssuerMustUseTLSExceptOnLoopback() {
        XCTAssertTrue(SingleSignOn.isAcceptableIssuer("https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare"))
        XCTAssertTrue(SingleSignOn.isAcceptableIssuer("http://127.0.0.1:9000"))
        XCTAssertFalse(SingleSignOn.isAcceptableIssuer("http://idp.example"))
        XCTAssertFalse(SingleSignOn.isAcceptableIssuer("ftp://idp.example"))
        XCTAssertFalse(SingleSignOn.isAcceptableIssuer("https://idp.example?x=1"))
    }
}

final class AccountAdministrationRuleTests: XCTestCase {
    func testOrganisationAdministratorsManageOnlyAccountsWhollyInTheirReach() {
        let icbAdmin = [Membership(organisation: "Q9A", role: .orgAdmin)]
        let trustViewer = (membership: Membership(organisation: "T91", role: .viewer), ancestors: ["Q9A", "Y99"])
        let elsewhere = (membership: Membership(organisation: "T94", role: .manager), ancestors: ["Q9B", "Y99"])
        XCTAssertTrue(AccessPolicy.mayAdministerAccount(icbAdmin, holding: [trustViewer]))
        XCTAssertFalse(AccessPolicy.mayAdministerAccount(icbAdmin, holding: [trustViewer, elsewhere]), "a role elsewhere protects the account")
        XCTAssertFalse(AccessPolicy.mayAdministerAccount(icbAdmin, holding: []), "an account with no roles is the system administrators'")
        XCTAssertFalse(AccessPolicy.mayAdministerAccount(icbAdmin, holding: [(Membership(organisation: "", role: .systemAdmin), [])]))
        XCTAssertFalse(AccessPolicy.mayAdministerAccount([Membership(organisation: "T91", role: .manager)], holding: [trustViewer]))
        XCTAssertTrue(AccessPolicy.mayAdministerAccount([Membership(organisation: "", role: .systemAdmin)], holding: [elsewhere]))
        XCTAssertEqual(AccessPolicy.grantableRoles(by: icbAdmin, in: "T91", ancestors: ["Q9A", "Y99"]).contains(.systemAdmin), false)
        XCTAssertEqual(AccessPolicy.grantableRoles(by: icbAdmin, in: "T94", ancestors: ["Q9B", "Y99"]), [])
    }
}
