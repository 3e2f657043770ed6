package dev.lathe.config;

/**
 * Where the object being checked sits in the config, for error messages: at the top level or
 * in a stage, possibly nested ({@code merge[0]} of stage "target"), and which stages come before
 * it (for {@code stage.output} references).
 *
 * @param owner     {@code stage "base3d"}, or {@code null} at the top level
 * @param ownerType the owning stage's type id, or {@code null} when unknown or at the top level
 * @param path      the object's field path within its owner ({@code merge[0]}); empty for the owner itself
 * @param note      what the object is, when its path does not say (e.g. {@code plugin adamw}), or {@code null}
 * @param upstream  the stages before this point of the pipeline
 */
record Scope(String owner, String ownerType, String path, String note, Upstream upstream) {

    static Scope topLevel() {
        return new Scope(null, null, "", null, Upstream.NONE);
    }

    static Scope stage(String label, String type, Upstream upstream) {
        return new Scope(label, type, "", null, upstream);
    }

    /** The scope of the object held in field {@code fieldPath} (as returned by {@link #path(String)}). */
    Scope nested(String fieldPath, String objectNote) {
        return new Scope(owner, ownerType, fieldPath, objectNote, upstream);
    }

    /** The path of one of this object's fields: {@code merge[0].weight}. */
    String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** Follows a field path in a message about its value: {@code in stage "base3d"}, or nothing at the top level. */
    String valueSuffix() {
        return owner == null ? "" : " in " + owner;
    }

    /** Names this object in a message about its fields: {@code in "merge[0]" of stage "target" (type train)}. */
    String objectSuffix() {
        String ownerText = owner == null ? null : owner + (ownerType == null ? "" : " (type " + ownerType + ")");
        if (path.isEmpty()) {
            return ownerText == null ? " at the top level" : " in " + ownerText;
        }
        String object = " in " + Messages.quote(path) + (note == null ? "" : " (" + note + ")");
        return ownerText == null ? object : object + " of " + ownerText;
    }
}
