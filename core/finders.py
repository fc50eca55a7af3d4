"""Static file finders."""

from django.contrib.staticfiles.finders import FileSystemFinder

# What the npm packages in STATICFILES_DIRS contribute to the site. Their JSON, JavaScript,
# TypeScript and Sass files (15 MB of design tokens) are build inputs for other projects:
# collecting and compressing them would only slow every deployment down.
ASSET_EXTENSIONS = (".css", ".svg", ".png", ".gif", ".jpg", ".webp", ".woff", ".woff2")


class AssetsFileSystemFinder(FileSystemFinder):
    """Django's finder for STATICFILES_DIRS, limited to stylesheets, fonts and images."""

    def find_location(self, root, path, prefix=None):
        if not path.lower().endswith(ASSET_EXTENSIONS):
            return None
        return super().find_location(root, path, prefix)

    def list(self, ignore_patterns):
        for path, storage in super().list(ignore_patterns):
            if path.lower().endswith(ASSET_EXTENSIONS):
                yield path, storage
