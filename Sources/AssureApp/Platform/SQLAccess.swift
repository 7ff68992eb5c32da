import FluentKit
import SQLKit
import Vapor

extension Database {
    /// The database as SQLKit sees it, for the reads Fluent's query builder does not express.
    /// Both drivers Assure uses are SQL databases, so failing here is a fault, not bad input.
    var sqlDatabase: any SQLDatabase {
        get throws {
            guard let sql = self as? any SQLDatabase else { throw Abort(.internalServerError) }
            return sql
        }
    }
}

extension Request {
    var sql: any SQLDatabase { get throws { try db.sqlDatabase } }
}
