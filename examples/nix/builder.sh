# builder.sh - the phases of mini-stdenv.nix: unpack (as nixpkgs does:
# cp -pr keeps the store's mtime of 1), preBuild, build, postBuild,
# install. Each phase is a string of shell from the derivation.
set -e
cd "$TMPDIR"
cp -pr "$src" source
chmod -R u+w source
cd source
echo "phase: preBuild"; eval "$preBuild"
echo "phase: build"; eval "$buildPhase"
echo "phase: postBuild"; eval "$postBuild"
echo "phase: install"; eval "$installPhase"
