# checkpoint-build.nix - a drop-in for nixpkgs' checkpointBuildTools,
# backed by ckpt: the same two functions, with the same arguments.
#
#   prepareCheckpointBuild drv
#     drv, built under `ckpt record`; its output is the ckpt checkpoint
#     (manifest + the final outputs, no copy of the sources).
#   mkCheckpointBuild drv checkpointArtifacts
#     drv (with changed sources), where the checkpoint is restored into
#     the build directory before the build phase: make then rebuilds only
#     what the change affects, whatever the mtimes in the store say.
#
# `ckpt` is a directory holding the ckpt binary and libckpt.so (a package
# of this project, or its build directory with the sandbox off).
{ ckpt }:
let
  # Rebuild when ckpt itself changes (it is referenced by path, not copied).
  ckptId = builtins.hashFile "sha256" "${ckpt}/ckpt";
  # One shell word holding s verbatim (nixpkgs' lib.escapeShellArg): the
  # build phase reaches `sh -c` as written, newlines and `$` included.
  escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";
in
{
  prepareCheckpointBuild = drv: drv.overrideAttrs (old: {
    name = "${old.name or "build"}-checkpoint";
    inherit ckptId;
    buildPhase = ''
      CKPT_LIB=${ckpt}/libckpt.so ${ckpt}/ckpt record -d "$out" -- \
        sh -c ${escapeShellArg (old.buildPhase or "make")}
    '';
    installPhase = "";
  });

  mkCheckpointBuild = drv: checkpointArtifacts: drv.overrideAttrs (old: {
    inherit ckptId;
    preBuild = (old.preBuild or "") + ''
      ${ckpt}/ckpt restore -d ${checkpointArtifacts}
    '';
  });
}
