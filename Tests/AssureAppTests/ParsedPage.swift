import CLibXML2
import Foundation

/// A page as libxml2's HTML parser reads it: every element in document order with its
/// attributes, and the forms with their fields. Tests about markup look at this, not at strings.
struct ParsedPage {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// The text directly inside (a textarea's value, an option's label).
        var text: String
        /// Which form (index into `forms`) the element sits in, if any.
        var form: Int?
    }

    struct Form {
        var method: String
        var action: String
        var enctype: String
        var fields: [Element]
    }

    private(set) var elements: [Element] = []
    private(set) var forms: [Form] = []

    init(_ html: String) {
        let options = Int32(HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_RECOVER.rawValue)
        let document = html.withCString { htmlReadMemory($0, Int32(strlen($0)), "page.html", "UTF-8", options) }
        guard let document else { return }
        defer { xmlFreeDoc(document) }
        walk(xmlDocGetRootElement(document), form: nil)
    }

    func elements(named name: String) -> [Element] { elements.filter { $0.name == name } }

    private mutating func walk(_ node: xmlNodePtr?, form: Int?) {
        var current = node
        while let node = current {
            var inForm = form
            if node.pointee.type == XML_ELEMENT_NODE {
                let element = Element(name: Self.string(node.pointee.name), attributes: Self.attributes(of: node), text: Self.directText(of: node), form: form)
                if element.name == "form" {
                    forms.append(Form(method: (element.attributes["method"] ?? "get").lowercased(), action: element.attributes["action"] ?? "",
                                      enctype: element.attributes["enctype"] ?? "application/x-www-form-urlencoded", fields: []))
                    inForm = forms.count - 1
                } else if let form, ["input", "select", "textarea", "option", "button"].contains(element.name) {
                    forms[form].fields.append(element)
                }
                elements.append(element)
            }
            walk(node.pointee.children, form: inForm)
            current = node.pointee.next
        }
    }

    private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) } ?? ""
    }

    private static func attributes(of node: xmlNodePtr) -> [String: String] {
        var attributes: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            let name = string(current.pointee.name)
            if let value = xmlNodeListGetString(node.pointee.doc, current.pointee.children, 1) {
                attributes[name] = string(value)
                assure_xml_free(value)
            } else {
                attributes[name] = ""
            }
            attribute = current.pointee.next
        }
        return attributes
    }

    private static func directText(of node: xmlNodePtr) -> String {
        var text = ""
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_TEXT_NODE, let content = current.pointee.content { text += string(content) }
            child = current.pointee.next
        }
        return text
    }
}
