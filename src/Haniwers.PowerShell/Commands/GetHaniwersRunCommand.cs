using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Haniwers.Output;

using Haniwers.Reports;
namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// Reports what runs did, from their folders' journals and operation logs: one object per run, oldest
    /// first (docs/formats.md, "Run reports"). Folders are searched with their subfolders, so a workspace
    /// with its date folders is one path.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "HaniwersRun", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(RunReport))]
    public sealed class GetHaniwersRunCommand : HaniwersCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        /// <summary>Run folders, or folders holding them; wildcards allowed. The current folder when none is given.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; } = { "." };

        /// <summary>Folders taken as they are written (no wildcards); also Get-ChildItem's output.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        /// <summary>Only the runs with these ids (wildcards allowed).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? RunId { get; set; }

        /// <summary>Only the N runs that started last.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Last { get; set; }

        private readonly List<string> _folders = new List<string>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == LiteralPathSet)
            {
                foreach (var path in LiteralPath) AddFolder(ResolveUserPath(path), path);
                return;
            }
            foreach (var path in Path)
            {
                var resolved = ExpandPath(path, literal: false);
                if (resolved.Count == 0)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException(NothingMatches(path)), "PathNotFound", ErrorCategory.ObjectNotFound, path));
                    continue;
                }
                foreach (var folder in resolved) AddFolder(folder, path);
            }
        }

        /// <summary>A folder as given, or a file's folder when it is a run folder (Get-ChildItem -File of a run folder).</summary>
        private void AddFolder(string folder, string asGiven)
        {
            if (Directory.Exists(folder)) _folders.Add(folder);
            else if (File.Exists(folder) && System.IO.Path.GetDirectoryName(folder) is string parent && RunReportReader.IsRunFolder(parent)) _folders.Add(parent);
            else if (File.Exists(folder))
            {
                WriteError(new ErrorRecord(new ArgumentException($"'{folder}' is a file, not a run folder: give the folder that holds its journal ({RunJournal.FileName} or {DataTaking.DaqRun.JournalFileName})."),
                    "NotARunFolder", ErrorCategory.InvalidArgument, asGiven));
            }
            else
            {
                WriteError(new ErrorRecord(new DirectoryNotFoundException($"'{folder}' does not exist."), "PathNotFound", ErrorCategory.ObjectNotFound, asGiven));
            }
        }

        protected override void EndProcessing()
        {
            var reports = new List<RunReport>();
            var runFolders = _folders.Distinct(StringComparer.Ordinal).SelectMany(RunFolders).Distinct(StringComparer.Ordinal).ToList();
            foreach (var folder in runFolders)
            {
                if (Stopping) return;
                WriteVerbose($"Reading the journals of {folder}.");
                try
                {
                    var problems = new List<string>();
                    reports.AddRange(RunReportReader.Read(folder, problems));
                    foreach (var problem in problems) WriteWarning(problem + ".");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    WriteError(new ErrorRecord(ex, "FolderUnreadable", ErrorCategory.ReadError, folder));
                }
            }
            if (runFolders.Count == 0 && _folders.Count > 0)
            {
                WriteWarning($"No run journal ({RunJournal.FileName} or {DataTaking.DaqRun.JournalFileName}) in {string.Join(", ", _folders)} or its subfolders.");
                return;
            }
            IEnumerable<RunReport> chosen = reports.OrderBy(r => r.Start).ThenBy(r => r.RunId, StringComparer.Ordinal);
            if (RunId is not null)
            {
                var patterns = RunId.Select(id => new WildcardPattern(id, WildcardOptions.IgnoreCase)).ToList();
                chosen = chosen.Where(r => patterns.Any(p => p.IsMatch(r.RunId)));
            }
            var list = chosen.ToList();
            if (Last > 0 && list.Count > Last) list = list.GetRange(list.Count - Last, Last);
            foreach (var report in list) WriteObject(report);
        }

        /// <summary>The folder and its subfolders that hold a journal; subfolders that cannot be listed, and links to folders, are told at verbose level and passed over.</summary>
        private IEnumerable<string> RunFolders(string root)
        {
            var pending = new Stack<string>();
            pending.Push(root);
            while (pending.Count > 0)
            {
                var folder = pending.Pop();
                if (RunReportReader.IsRunFolder(folder)) yield return folder;
                string[] children;
                try { children = Directory.GetDirectories(folder); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    WriteVerbose($"Passed over {folder}: {ex.Message}");
                    continue;
                }
                foreach (var child in children.OrderByDescending(c => c, StringComparer.Ordinal))
                {
                    // a link to a folder (ln -s . self, a link to the parent) is not followed: the runs would be reported again, or for ever
                    if (Platform.NoFollow.IsLink(child)) WriteVerbose($"Passed over {child}: a symbolic link (its runs are found where it points, if that is below {root}).");
                    else pending.Push(child);
                }
            }
        }
    }
}
