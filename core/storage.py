"""Static files storage for production: whitenoise's compressed, hashed ("manifest") files,
tolerant of vendor stylesheets that point at files their npm package does not ship."""

from whitenoise.storage import CompressedManifestStaticFilesStorage

# Files from npm packages (STATICFILES_DIRS in cms/settings/base.py).
VENDOR_PREFIX = "vendor/"


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """`collectstatic` rewrites url(...) references in CSS to the hashed names and stops at
    a reference to a missing file. For our own files that is what we want; in a vendor
    package (e.g. @utrecht/design-tokens' background-image-icon.css, which names an
    icon the package does not contain) the reference is left as it is: it was broken
    before and we do not use it."""

    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)
        if not name.replace("\\", "/").startswith(VENDOR_PREFIX):
            return convert

        def converter(matchobj):
            try:
                return convert(matchobj)
            except ValueError:
                return matchobj.group(0)

        return converter
