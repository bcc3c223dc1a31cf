# bench-nix.nix - the derivations bench-nix.sh builds, on the mini stdenv
# of examples/nix: a plain build of `src`, the checkpoint of `base` by
# ckpt's drop-in (checkpoint-build.nix) and by nixpkgs' copy-everything
# checkpointBuildTools (checkpoint-build-copy.nix), and an incremental build
# of `src` from each. `salt` is in every derivation (a run of the benchmark
# builds everything anew); `rep` only in the incremental ones, to build
# them again; `jobs` is make's -j.
#
# Both incremental builds are timed the same way from outside their
# restore: preBuild starts with a timestamp (the restore step of either
# tool is appended after it) and the build phase prints
# "restore-wall: S s" before running make.
{ src, base, ckpt, salt ? "", rep ? "0", jobs ? "1" }:
let
  stdenv = import ../examples/nix/mini-stdenv.nix;
  ours = import ../examples/nix/checkpoint-build.nix { inherit ckpt; };
  copy = import ../examples/nix/checkpoint-build-copy.nix;
  project = s: stdenv.mkDerivation {
    name = "bench";
    src = s;
    inherit salt;
    preBuild = ''
      restoreStart=$(/usr/bin/date +%s.%N)
    '';
    # One line: ckpt's prepareCheckpointBuild runs it under `sh -c`, where
    # restoreStart (a variable of the builder's shell) is unset.
    buildPhase = ''[ -z "''${restoreStart:-}" ] || echo "restore-wall: $(/usr/bin/date +%s.%N | awk -v t0="$restoreStart" '{ printf "%.3f", $1 - t0 }') s"; make -j${jobs}'';
  };
  again = drv: drv.overrideAttrs (_: { inherit rep; });
  ckptCheckpoint = ours.prepareCheckpointBuild (project base);
  copyCheckpoint = copy.prepareCheckpointBuild (project base);
in {
  plain = project src;
  inherit ckptCheckpoint copyCheckpoint;
  ckptInc = ours.mkCheckpointBuild (again (project src)) ckptCheckpoint;
  copyInc = copy.mkCheckpointBuild (again (project src)) copyCheckpoint;
}
