using System;
using System.IO.Ports;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using Haniwers.Simulation;

// Serves the simulated OSECHI detector on a serial device or a TCP port, so tests and benchmarks
// drive the real System.IO.Ports / socket path. Prints READY, then one line per command received:
//   SET <channel> <threshold> <ok|refused|silent|wrong-echo>   and   STREAM <0|1> sent=<event lines made so far>
// and, when a stall begins, STALL <its start, wall time> <seconds>
// Usage: Haniwers.Simulator (--serial PATH | --tcp PORT) [--options "seed=1,refuse-every=3,..."] [--log FILE]
// --serial opens the device as a plain file (a pty from socat, already raw): System.IO.Ports on
// this side would add a few milliseconds of polling to every round trip the host measures.
// With --log the lines go to FILE (flushed as written) instead of standard output.

string? serial = null;
int? tcpPort = null;
string? optionText = null;
string? logPath = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--serial": serial = args[++i]; break;
        case "--tcp": tcpPort = int.Parse(args[++i]); break;
        case "--options": optionText = args[++i]; break;
        case "--log": logPath = args[++i]; break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; usage: --serial PATH | --tcp PORT [--options TEXT]");
            return 2;
    }
}
if ((serial is null) == (tcpPort is null))
{
    Console.Error.WriteLine("usage: Haniwers.Simulator (--serial PATH | --tcp PORT) [--options TEXT]");
    return 2;
}

var options = SimulatorOptions.Parse(optionText);
var detector = new SimulatedDetector(options);
var output = logPath is null ? Console.Out : new System.IO.StreamWriter(logPath, append: false) { AutoFlush = true };
var printLock = new object();
void Print(string text) { lock (printLock) { output.WriteLine(text); output.Flush(); } }
detector.WriteReceived += w => Print(w.ToString());
// with the number of event lines made so far: the first line after "STREAM 1 sent=N" is number N+1 (numbered option)
detector.StreamChanged += on => Print((on ? "STREAM 1" : "STREAM 0") + $" sent={detector.EventsSent}");

var stop = new CancellationTokenSource(); // never disposed: ProcessExit may still cancel it
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
TimeSpan? dropAfter = options.DropAfter is double d ? TimeSpan.FromSeconds(d) : null;

bool Restore()
{
    if (options.RestoreAfter < 0) { Print("DEAD"); stop.Token.WaitHandle.WaitOne(); return false; }
    stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(options.RestoreAfter));
    dropAfter = null; // the link drops once
    return !stop.IsCancellationRequested;
}

if (serial is not null)
{
    Print($"READY serial {serial}");
    while (!stop.IsCancellationRequested)
    {
        using (var port = new System.IO.FileStream(serial, System.IO.FileMode.Open, System.IO.FileAccess.ReadWrite, System.IO.FileShare.ReadWrite, 0))
        {
            var end = SimulatorServer.Serve(port, detector, stop.Token, dropAfter, Print);
            if (end != SimulatorServer.EndReason.Dropped) continue;
            Print("DROPPED");
        }
        if (!Restore()) break;
        Print("RESTORED");
    }
    return 0;
}

var listener = new TcpListener(IPAddress.Loopback, tcpPort!.Value);
listener.Start();
Print($"READY tcp {((IPEndPoint)listener.LocalEndpoint).Port}");
using (stop.Token.Register(() => listener.Stop()))
{
    while (!stop.IsCancellationRequested)
    {
        TcpClient client;
        try { client = listener.AcceptTcpClient(); }
        catch (SocketException) { break; }
        catch (ObjectDisposedException) { break; }
        client.NoDelay = true;
        SimulatorServer.EndReason end;
        using (client)
        {
            end = SimulatorServer.Serve(client.GetStream(), detector, stop.Token, dropAfter, Print);
        }
        if (end == SimulatorServer.EndReason.Dropped)
        {
            Print("DROPPED");
            if (!Restore()) break;
            Print("RESTORED");
        }
    }
}
return 0;
