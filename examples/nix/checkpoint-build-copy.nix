# checkpoint-build-copy.nix - nixpkgs' original checkpointBuildTools
# (pkgs/build-support/checkpoint-build.nix), re-implemented for the test-only
# mini stdenv (mini-stdenv.nix) so that bench/bench-nix.sh can measure it
# against ckpt's drop-in (checkpoint-build.nix) on the same project. The
# same two functions, with the same arguments, doing the same steps:
#
#   prepareCheckpointBuild drv
#     preBuild copies the unpacked sources (`./*`) to $out/sources; the
#     install phase copies the whole build directory (`./*`) to
#     $out/outputs instead of installing.
#   mkCheckpointBuild drv checkpointArtifacts
#     preBuild diffs the saved sources against the new ones (diff -ur) into
#     a patch, removes the whole tree (rm -r with dotglob), rsyncs the
#     saved build directory in (--checksum --times --atimes --chmod=+w), and
#     applies the patch (patch -p1); make then trusts the mtimes.
#
# Differences from nixpkgs, all forced by the mini stdenv and none changing
# what is copied, compared or patched:
#   - tools are the host's, by absolute path (nixpkgs: mktemp, rsync from
#     buildPackages, diff and patch from stdenv's PATH);
#   - the builder is /bin/sh (dash): `shopt -s dotglob; rm -r *` runs in
#     /bin/bash, so the glob matches dotfiles as in nixpkgs (there dotglob
#     then stays on for the rest of the build; no later phase here globs);
#   - runHook is not a mini-stdenv function: a minimal one (evaluate the
#     hook variable if it is set) is defined when missing;
#   - the restore is timed: `copy-restore: S s` in the build log (date
#     before the first step and after the last, as ckpt's own
#     "ckpt: restored ... in S s" line).
let
  mktemp = "/usr/bin/mktemp";
  rsync = "/usr/bin/rsync";
  diff = "/usr/bin/diff";
  patch = "/usr/bin/patch";
  bash = "/bin/bash";
  date = "/usr/bin/date";
  runHook = ''
    command -v runHook >/dev/null 2>&1 ||
      runHook() { eval "_rh=\''${$1:-}"; eval "$_rh"; }
  '';
in
rec {
  prepareCheckpointBuild = drv: drv.overrideAttrs (old: {
    outputs = [ "out" ];
    name = drv.name + "-checkpointArtifacts";
    # The sources as they are before the build (after unpacking, and
    # patching in nixpkgs), to diff against the sources of a later build.
    preBuild = (old.preBuild or "") + ''
      mkdir -p $out/sources
      cp -r ./* $out/sources/
    '';
    # The whole build directory after the build, as the checkpoint.
    installPhase = runHook + ''
      runHook preCheckpointInstall
      mkdir -p $out/outputs
      cp -r ./* $out/outputs/
      runHook postCheckpointInstall
      unset postPhases
    '';
    dontFixup = true;
    doInstallCheck = false;
    doDist = false;
  });

  mkCheckpointBuild = drv: checkpointArtifacts: drv.overrideAttrs (old: {
    preBuild = (old.preBuild or "") + ''
      copyRestoreStart=$(${date} +%s.%N)
      set +e
      sourceDifferencePatchFile=$(${mktemp})
      ${diff} -ur ${checkpointArtifacts}/sources ./ > "$sourceDifferencePatchFile"
      set -e
      ${bash} -c 'shopt -s dotglob; rm -r *'
      ${rsync} \
        --checksum --times --atimes --chown=$USER:$USER --chmod=+w \
        -r ${checkpointArtifacts}/outputs/ .
      ${patch} -p 1 -i "$sourceDifferencePatchFile"
      rm "$sourceDifferencePatchFile"
      echo "copy-restore: $(${date} +%s.%N | awk -v t0="$copyRestoreStart" '{ printf "%.3f", $1 - t0 }') s"
    '';
  });

  mkCheckpointedBuild = builtins.trace
    "`mkCheckpointedBuild` is deprecated, use `mkCheckpointBuild` instead!"
    mkCheckpointBuild;
}
