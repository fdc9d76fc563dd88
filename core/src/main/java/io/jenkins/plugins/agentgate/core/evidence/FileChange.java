package io.jenkins.plugins.agentgate.core.evidence;

/**
 * One path the run touched.
 *
 * @param path          workspace-relative, '/'-separated, never quoted
 * @param change        {@code added}, {@code modified}, {@code deleted} or {@code type-changed}
 * @param type          after the run (before, for deletions): {@code file}, {@code executable}, {@code symlink},
 *                      {@code gitlink} or {@code other}
 * @param linesAdded    added lines (git, text files), else null
 * @param linesRemoved  removed lines (git, text files), else null
 * @param binary        git saw binary content
 * @param sizeBefore    bytes before (manifest capture), else null
 * @param sizeAfter     bytes after (null when deleted)
 * @param sha256Before  content hash before (manifest capture), else null
 * @param sha256After   content hash after; null when deleted, a symlink, or beyond the byte budget
 * @param oidBefore     git blob id before (git capture), else null
 * @param oidAfter      git blob id after (git capture), else null
 * @param symlinkTarget the link text when the path is a symlink after the run (never followed)
 */
public record FileChange(
        String path,
        String change,
        String type,
        Long linesAdded,
        Long linesRemoved,
        boolean binary,
        Long sizeBefore,
        Long sizeAfter,
        String sha256Before,
        String sha256After,
        String oidBefore,
        String oidAfter,
        String symlinkTarget) {}
