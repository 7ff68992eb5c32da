/// The release of Assure this build is, shown in the footer and reported by the API.
public enum AssureRelease {
    public static let version = "0.1.0"
}
