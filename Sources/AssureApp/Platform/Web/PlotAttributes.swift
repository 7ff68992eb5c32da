import Plot

// Plot's builders for text and for every attribute that takes free text, declared again with
// exactly Plot's signatures so that, inside Assure, the compiler picks these (a module's own
// declaration shadows an identical one it imports) and every value passes through
// `HTMLEscaping`. Builders that take Plot's enums (`.type(.submit)`, `.method(.post)`) write
// fixed words and need nothing. `PlotAttributeTests` renders each of these with markup in it,
// and `SourceRulesTests` refuses a hand-made `Attribute(...)` anywhere else.

private func escaped(_ value: String?) -> String? { HTMLEscaping.attributeValue(value) }
private func escapedURL(_ url: URLRepresentable) -> String { HTMLEscaping.attribute(String(describing: url)) }

extension Node {
    static func text(_ text: String) -> Node { .raw(HTMLEscaping.text(text)) }

    static func attribute(named name: String, value: String?, ignoreIfValueIsEmpty: Bool = true) -> Node {
        .attribute(Attribute(name: name, value: escaped(value), ignoreIfValueIsEmpty: ignoreIfValueIsEmpty))
    }
}

extension Attribute {
    static func attribute(named name: String, value: String?) -> Self {
        Attribute(name: name, value: escaped(value))
    }
}

extension Attribute where Context: HTMLContext {
    static func id(_ id: String) -> Attribute { Attribute(name: "id", value: escaped(id)) }
    static func `class`(_ className: String) -> Attribute { Attribute(name: "class", value: escaped(className)) }
    static func data(named name: String, value: String) -> Attribute { Attribute(name: "data-\(name)", value: escaped(value)) }
    static func title(_ title: String) -> Attribute { Attribute(name: "title", value: escaped(title)) }
}

extension Node where Context: HTMLContext {
    static func id(_ id: String) -> Node { .attribute(named: "id", value: id) }
    static func `class`(_ className: String) -> Node { .attribute(named: "class", value: className) }
    static func data(named name: String, value: String) -> Node { .attribute(named: "data-\(name)", value: value) }
    static func title(_ title: String) -> Node { .attribute(named: "title", value: title) }
}

extension Attribute where Context: HTMLNamableContext {
    static func name(_ name: String) -> Attribute { Attribute(name: "name", value: escaped(name)) }
}

extension Node where Context: HTMLNamableContext {
    static func name(_ name: String) -> Node { .attribute(named: "name", value: name) }
}

extension Attribute where Context == HTML.MetaContext {
    static func property(_ property: String) -> Attribute { Attribute(name: "property", value: escaped(property)) }
    static func content(_ content: String) -> Attribute { Attribute(name: "content", value: escaped(content)) }
}

extension Attribute where Context: HTMLTypeContext {
    static func type(_ type: String) -> Attribute { Attribute(name: "type", value: escaped(type)) }
}

extension Attribute where Context: HTMLValueContext {
    static func value(_ value: String) -> Attribute { Attribute(name: "value", value: escaped(value)) }
}

extension Node where Context: HTMLValueContext {
    static func value(_ value: String) -> Node { .attribute(named: "value", value: value) }
}

extension Attribute where Context == HTML.LinkContext {
    static func sizes(_ sizes: String) -> Attribute { Attribute(name: "sizes", value: escaped(sizes)) }
    static func color(_ color: String) -> Attribute { Attribute(name: "color", value: escaped(color)) }
}

extension Attribute where Context: HTMLLinkableContext {
    static func href(_ url: URLRepresentable) -> Attribute { Attribute(name: "href", value: escapedURL(url)) }
}

extension Node where Context: HTMLLinkableContext {
    static func href(_ url: URLRepresentable) -> Node { .attribute(Attribute(name: "href", value: escapedURL(url))) }
}

extension Node where Context == HTML.TimeContext {
    static func datetime(_ datetime: String) -> Node { .attribute(named: "datetime", value: datetime) }
}

extension Attribute where Context: HTMLSourceContext {
    static func src(_ url: URLRepresentable) -> Attribute { Attribute(name: "src", value: escapedURL(url)) }
}

extension Node where Context: HTMLSourceContext {
    static func src(_ url: URLRepresentable) -> Node { .attribute(Attribute(name: "src", value: escapedURL(url))) }
}

extension Attribute where Context == HTML.ObjectContext {
    static func data(_ url: URLRepresentable) -> Attribute { Attribute(name: "data", value: escapedURL(url)) }
}

extension Node where Context == HTML.ObjectContext {
    static func data(_ url: URLRepresentable) -> Node { .attribute(Attribute(name: "data", value: escapedURL(url))) }
}

extension Attribute where Context == HTML.PictureSourceContext {
    static func srcset(_ set: String) -> Attribute { Attribute(name: "srcset", value: escaped(set)) }
    static func media(_ query: String) -> Attribute { Attribute(name: "media", value: escaped(query)) }
    static func type(_ type: String) -> Attribute { Attribute(name: "type", value: escaped(type)) }
}

extension Node where Context == HTML.FormContext {
    static func action(_ url: URLRepresentable) -> Node { .attribute(Attribute(name: "action", value: escapedURL(url))) }
}

extension Node where Context == HTML.LabelContext {
    static func `for`(_ target: String) -> Node { .attribute(named: "for", value: target) }
}

extension Attribute where Context == HTML.InputContext {
    static func placeholder(_ placeholder: String) -> Attribute { Attribute(name: "placeholder", value: escaped(placeholder)) }
}

extension Node where Context == HTML.TextAreaContext {
    static func placeholder(_ placeholder: String) -> Node { .attribute(named: "placeholder", value: placeholder) }
}

extension Attribute where Context == HTML.OptionContext {
    static func label(_ label: String) -> Attribute { Attribute(name: "label", value: escaped(label), ignoreIfValueIsEmpty: false) }
}

extension Node where Context: HTMLStylableContext {
    static func style(_ css: String) -> Node { .attribute(named: "style", value: css) }
}

extension Attribute where Context == HTML.IFrameContext {
    static func allow(_ features: String...) -> Attribute { Attribute(name: "allow", value: escaped(features.joined(separator: "; "))) }
}

extension Attribute where Context == HTML.ImageContext {
    static func alt(_ text: String) -> Attribute { Attribute(name: "alt", value: escaped(text)) }
}

extension Node where Context: HTML.BodyContext {
    static func ariaLabel(_ label: String) -> Node { .attribute(named: "aria-label", value: label) }
    static func ariaControls(_ child: String) -> Node { .attribute(named: "aria-controls", value: child) }
}

extension Attribute where Context: HTMLIntegrityContext {
    static func integrity(_ hash: String) -> Attribute { Attribute(name: "integrity", value: escaped(hash)) }
}

extension Node where Context: HTMLIntegrityContext {
    static func integrity(_ hash: String) -> Node { .attribute(named: "integrity", value: hash) }
}

// Plot's head helpers build their meta and link tags with its own (verbatim) builders, so they are
// declared again here over the escaping ones. The title is only `<title>`: Assure's pages are not
// for social sharing, and a title holds record names.
extension Node where Context == HTML.HeadContext {
    static func title(_ title: String) -> Node { .element(named: "title", nodes: [.text(title)]) }
    static func stylesheet(_ url: URLRepresentable, integrity: String? = nil) -> Node {
        .link(.rel(.stylesheet), .href(url), .type("text/css"), .unwrap(integrity, Attribute.integrity))
    }
    static func url(_ url: URLRepresentable) -> Node { .link(.rel(.canonical), .href(url)) }
    static func siteName(_ name: String) -> Node { .meta(.property("og:site_name"), .content(name)) }
    static func description(_ text: String) -> Node { .meta(.name("description"), .content(text)) }
    static func socialImageLink(_ url: URLRepresentable) -> Node { .meta(.property("og:image"), .content(String(describing: url))) }
    static func twitterUsername(_ username: String) -> Node { .meta(.name("twitter:site"), .content(username)) }
    static func favicon(_ url: URLRepresentable, type: String = "image/png") -> Node { .link(.rel(.shortcutIcon), .href(url), .type(type)) }
    static func rssFeedLink(_ url: URLRepresentable, title: String? = nil) -> Node {
        .link(.rel(.alternate), .href(url), .type("application/rss+xml"), .attribute(named: "title", value: title))
    }
}
