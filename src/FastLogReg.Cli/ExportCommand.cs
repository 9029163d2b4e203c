using FastLogReg.IO;
using FastLogReg.Onnx;

namespace FastLogReg.Cli;

/// <summary><c>fastlogreg export --model m.json --onnx m.onnx</c>: the model as ONNX (its feature names and class labels recorded).</summary>
internal static class ExportCommand
{
    public static int Run(CliContext context, FileInfo modelFile, FileInfo onnx)
    {
        DistinctPaths.Require(("--model", modelFile), ("--onnx", onnx));
        SavedModel saved = PredictCommand.LoadModel(modelFile);
        if (saved.Metadata.HashedColumns is not null)
        {
            throw new UsageException($"{modelFile.Name} hashes text columns, which ONNX's standard operators cannot do: score it with 'fastlogreg predict' (or export the bare model from code with OnnxExport.Save on the hashed feature vector).");
        }

        OnnxExport.Save(saved, onnx.FullName);
        context.Output.WriteLine(
            $"Exported the {saved.Classifier.Kind} model ({saved.Classifier.ClassCount} classes, {saved.Classifier.FeatureCount} features) to {onnx.FullName} " +
            "(ONNX opset 13; input 'features' float32 [N, d] on the raw feature scale; outputs 'label' (class index), 'probabilities' [N, K]" +
            (saved.Metadata.Labels is null ? ")." : ", 'class' (the label text)).") );
        return ExitCodes.Ok;
    }
}
