using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Haniwers.DataTaking
{
    /// <summary>A run of rows from one file; the last batch of a file carries its reader's counts.</summary>
    public sealed class RawBatch
    {
        internal RawBatch(int capacity) { Rows = new RawEvent[capacity]; }

        public RawEvent[] Rows { get; }
        public int Count { get; internal set; }
        public string Path { get; internal set; } = "";
        /// <summary>Set on a file's last batch: its kind, rows and malformed lines.</summary>
        public RawFileReader? Finished { get; internal set; }
    }

    /// <summary>
    /// Reads raw files on a second thread while the caller bins (docs/daq.md, "Rates"): batches of rows
    /// go through a bounded queue and come back for reuse, so memory stays flat and both cores work.
    /// </summary>
    public sealed class RawFileStream : IDisposable
    {
        private const int BatchSize = 8192, Batches = 4;
        private readonly BlockingCollection<RawBatch> _full = new BlockingCollection<RawBatch>(Batches);
        private readonly BlockingCollection<RawBatch> _free = new BlockingCollection<RawBatch>(Batches);
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Task _reader;
        private Exception? _failure;

        public RawFileStream(IReadOnlyList<string> files)
        {
            for (int i = 0; i < Batches; i++) _free.Add(new RawBatch(BatchSize));
            _reader = Task.Run(() => Read(files));
        }

        private void Read(IReadOnlyList<string> files)
        {
            try
            {
                foreach (var path in files)
                {
                    using var reader = new RawFileReader(path);
                    var batch = _free.Take(_stop.Token);
                    batch.Count = 0;
                    batch.Path = path;
                    batch.Finished = null;
                    while (reader.Next(out batch.Rows[batch.Count]))
                    {
                        if (++batch.Count < BatchSize) continue;
                        _full.Add(batch, _stop.Token);
                        batch = _free.Take(_stop.Token);
                        batch.Count = 0;
                        batch.Path = path;
                        batch.Finished = null;
                    }
                    batch.Finished = reader;
                    _full.Add(batch, _stop.Token);
                }
            }
            catch (OperationCanceledException) { }
            catch (Exception ex)
            {
                _failure = ex;
            }
            finally
            {
                _full.CompleteAdding();
            }
        }

        /// <summary>The batches in file order; give each back with <see cref="Return"/> once its rows are used. Rethrows the reader's failure.</summary>
        public IEnumerable<RawBatch> ReadBatches()
        {
            foreach (var batch in _full.GetConsumingEnumerable()) yield return batch;
            if (_failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure).Throw();
        }

        public void Return(RawBatch batch) => _free.Add(batch);

        public void Dispose()
        {
            _stop.Cancel();
            try { _reader.Wait(); } catch (AggregateException) { }
            _full.Dispose();
            _free.Dispose();
            _stop.Dispose();
        }
    }
}
