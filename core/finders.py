"""Static file finders."""

from django.conf import settings
from django.contrib.staticfiles.finders import FileSystemFinder

# What the npm packages in STATICFILES_DIRS contribute to the site. Their JSON, JavaScript,
# TypeScript and Sass files (15 MB of design tokens) are build inputs for other projects:
# collecting and compressing them would only slow every deployment down. The few scripts
# we do serve are named one by one in VENDOR_SCRIPTS.
ASSET_EXTENSIONS = (".css", ".svg", ".png", ".gif", ".jpg", ".webp", ".woff", ".woff2")


def _wanted(path: str) -> bool:
    return path.lower().endswith(ASSET_EXTENSIONS) or path in getattr(
        settings, "VENDOR_SCRIPTS", ()
    )


class AssetsFileSystemFinder(FileSystemFinder):
    """Django's finder for STATICFILES_DIRS, limited to stylesheets, fonts, images and the
    vendored scripts named in VENDOR_SCRIPTS."""

    def find_location(self, root, path, prefix=None):
        if not _wanted(path):
            return None
        return super().find_location(root, path, prefix)

    def list(self, ignore_patterns):
        for path, storage in super().list(ignore_patterns):
            prefix = getattr(storage, "prefix", None)
            if _wanted(f"{prefix}/{path}" if prefix else path):
                yield path, storage
