using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Haniwers.Platform;
using Haniwers.Transport;
using Xunit;

using Haniwers.Composition;
namespace Haniwers.Tests.Transport
{
    /// <summary>
    /// Port discovery, "auto" and lock keys of every platform, each reader run on fixtures whatever the
    /// host (docs/platforms.md). Nothing here returns early.
    /// </summary>
    public sealed class PortCatalogTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "haniwers-tty-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

        private static IReadOnlyList<PortInfo> Windows() => WindowsPorts.List(new RegFileSource(Fixture("windows-laptop.reg")));

        private static IReadOnlyList<PortInfo> Mac() =>
            MacPorts.List(File.ReadAllLines(Fixture("macos-dev.txt")), File.ReadAllText(Fixture("macos-ioreg.txt")));

        private static string NoLinks(string path) => path;

        private void AddPort(string name, string? vendor = null, string? product = null, string? description = null, string? serial = null)
        {
            string device = Path.Combine(_root, name, "device");
            Directory.CreateDirectory(device);
            if (vendor is not null) File.WriteAllText(Path.Combine(device, "idVendor"), vendor + "\n");
            if (product is not null) File.WriteAllText(Path.Combine(device, "idProduct"), product + "\n");
            if (description is not null) File.WriteAllText(Path.Combine(device, "product"), description + "\n");
            if (serial is not null) File.WriteAllText(Path.Combine(device, "serial"), serial + "\n");
        }

        // ---- Linux ----

        [Fact]
        public void LinuxListsUsbSerialPortsWithWhatTheSystemSaysAndSkipsPhantomPorts()
        {
            AddPort("ttyUSB0", "1a86", "7523", "USB Serial", "A1");
            AddPort("ttyACM0", "16c0", "0483", "Teensy");
            AddPort("rfcomm0");
            AddPort("ttyS0");
            var ports = LinuxPorts.List(_root, NoLinks);
            Assert.Equal(new[] { "/dev/rfcomm0", "/dev/ttyACM0", "/dev/ttyUSB0" }, ports.Select(p => p.PortName));
            var ch340 = ports.Single(p => p.PortName == "/dev/ttyUSB0");
            Assert.Equal(("1a86", "7523", "USB Serial", "A1"), (ch340.VendorId, ch340.ProductId, ch340.Description, ch340.SerialNumber));
            Assert.True(ch340.LooksLikeDetector);
            Assert.False(ports.Single(p => p.PortName == "/dev/ttyACM0").LooksLikeDetector);
            Assert.True(ports.Single(p => p.PortName == "/dev/rfcomm0").IsBluetooth);
        }

        [Fact]
        public void LinuxFollowsTheDeviceLinkAsTheResolverReportsIt()
        {
            // sysfs: class/tty/ttyUSB0/device leads, through relative links, to a folder under the USB device
            string usb = Path.Combine(_root, "devices", "usb1", "1-1");
            string iface = Path.Combine(usb, "1-1:1.0", "ttyUSB0");
            Directory.CreateDirectory(iface);
            File.WriteAllText(Path.Combine(usb, "idVendor"), "0403\n");
            File.WriteAllText(Path.Combine(usb, "idProduct"), "6001\n");
            string classDevice = Path.Combine(_root, "class", "ttyUSB0", "device");
            Directory.CreateDirectory(classDevice);
            var port = Assert.Single(LinuxPorts.List(Path.Combine(_root, "class"), path => path == classDevice ? iface : path));
            Assert.Equal(("0403", "6001"), (port.VendorId, port.ProductId));
            Assert.True(port.LooksLikeDetector);
        }

        [UnixFact]
        public void LinuxResolvesRealSysfsShapedRelativeLinksThroughLibc()
        {
            string usb = Path.Combine(_root, "devices", "usb1", "1-1");
            string tty = Path.Combine(usb, "1-1:1.0", "ttyUSB0", "tty", "ttyUSB0");
            Directory.CreateDirectory(tty);
            File.WriteAllText(Path.Combine(usb, "idVendor"), "0403\n");
            File.WriteAllText(Path.Combine(usb, "idProduct"), "6001\n");
            Directory.CreateDirectory(Path.Combine(_root, "class", "tty"));
            Directory.CreateSymbolicLink(Path.Combine(_root, "class", "tty", "ttyUSB0"), "../../devices/usb1/1-1/1-1:1.0/ttyUSB0/tty/ttyUSB0");
            Directory.CreateSymbolicLink(Path.Combine(tty, "device"), "../../../ttyUSB0");
            var port = Assert.Single(LinuxPorts.List(Path.Combine(_root, "class", "tty"), LinuxSystem.RealPath));
            Assert.Equal("0403", port.VendorId);
        }

        // ---- Windows ----

        [Fact]
        public void WindowsListsThePresentPortsWithTheirDevices()
        {
            var ports = Windows();
            Assert.Equal(new[] { "COM1", "COM3", "COM4", "COM5" }, ports.Select(p => p.PortName)); // COM7 is unplugged
            var ch340 = ports.Single(p => p.PortName == "COM3");
            Assert.Equal(("1a86", "7523"), (ch340.VendorId, ch340.ProductId));
            Assert.Equal("USB-SERIAL CH340 (COM3)", ch340.Description);
            Assert.Null(ch340.SerialNumber); // Windows made the instance name up: the chip has no serial
            Assert.True(ch340.LooksLikeDetector);
            var ftdi = ports.Single(p => p.PortName == "COM4");
            Assert.Equal(("0403", "6001", "A50285BI"), (ftdi.VendorId, ftdi.ProductId, ftdi.SerialNumber));
            Assert.Equal("FTDI", ftdi.Manufacturer);
            var bluetooth = ports.Single(p => p.PortName == "COM5");
            Assert.True(bluetooth.IsBluetooth);
            Assert.False(bluetooth.LooksLikeDetector);
            Assert.Equal("Standard Serial over Bluetooth link (COM5)", bluetooth.Description);
            Assert.Contains("no USB vendor id", ports.Single(p => p.PortName == "COM1").Qualification);
        }

        [Fact]
        public void WindowsAutoAsksWhichOfTwoBridgesAndSaysWhyEachQualified()
        {
            // the CH340 detector and the FTDI cable both look like detectors: auto must not guess
            var ex = Assert.Throws<LinkOpenException>(() => DeviceLinks.ChooseDetector(Windows()));
            Assert.Contains("2 ports look like detectors", ex.Message);
            Assert.Contains("COM3 (USB-SERIAL CH340 (COM3), 1a86:7523: USB 1a86:7523 (QinHeng CH340)", ex.Message);
            Assert.Contains("COM5 (Standard Serial over Bluetooth link (COM5): Bluetooth serial link, not a detector)", ex.Message);
            // with the FTDI cable unplugged, the detector is the one
            Assert.Equal("COM3", DeviceLinks.ChooseDetector(Windows().Where(p => p.PortName != "COM4").ToList()));
        }

        private IReadOnlyList<PortInfo> WindowsFrom(string reg)
        {
            Directory.CreateDirectory(_root);
            string path = Path.Combine(_root, "fixture.reg");
            File.WriteAllText(path, "Windows Registry Editor Version 5.00\r\n\r\n" + reg.Replace("\n", "\r\n"));
            return WindowsPorts.List(new RegFileSource(path));
        }

        private const string Enum = @"[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Enum";

        [Fact]
        public void WindowsWithNoPortListsNoneEvenWhenEnumRemembersDevices()
        {
            // no SERIALCOMM key: Windows removes it when no port exists; Enum still remembers an unplugged Arduino
            var ports = WindowsFrom(Enum + @"\USB\VID_2341&PID_0043\75833353035351A0E1E1\Device Parameters]" + "\n\"PortName\"=\"COM7\"\n");
            Assert.Empty(ports);
            Assert.Throws<LinkOpenException>(() => DeviceLinks.ChooseDetector(ports));
        }

        [Fact]
        public void WindowsGivesAPortToThePresentDeviceNotAForgottenOne()
        {
            // a CH340 on COM3 now; an unplugged FTDI cable once had COM3 too
            var ports = WindowsFrom(@"[HKEY_LOCAL_MACHINE\HARDWARE\DEVICEMAP\SERIALCOMM]" + "\n\"\\\\Device\\\\Serial2\"=\"COM3\"\n\n"
                + Enum + @"\USB\VID_1A86&PID_7523\5&2c0e1a4b&0&2\Device Parameters]" + "\n\"PortName\"=\"COM3\"\n\n"
                + Enum + @"\FTDIBUS\VID_0403+PID_6001+A50285BIA\0000\Device Parameters]" + "\n\"PortName\"=\"COM3\"\n");
            var port = Assert.Single(ports);
            Assert.Equal(("COM3", "1a86"), (port.PortName, port.VendorId));
        }

        [Fact]
        public void WindowsSerialNumbersAsTheDriversWriteThem()
        {
            var ports = WindowsFrom(@"[HKEY_LOCAL_MACHINE\HARDWARE\DEVICEMAP\SERIALCOMM]" + "\n\"\\\\Device\\\\VCP0\"=\"COM4\"\n\"\\\\Device\\\\VCP1\"=\"COM5\"\n\"\\\\Device\\\\USBSER000\"=\"COM6\"\n\n"
                + Enum + @"\FTDIBUS\VID_0403+PID_6001+AH02KLDAA\0000\Device Parameters]" + "\n\"PortName\"=\"COM4\"\n\n"
                + Enum + @"\FTDIBUS\VID_0403+PID_6015+6&2DB47F2C&0&3\0000\Device Parameters]" + "\n\"PortName\"=\"COM5\"\n\n"
                + Enum + @"\USB\Vid_303a&Pid_1001\E072A1B2C3D4]" + "\n\"DeviceDesc\"=\"USB Composite Device\"\n\n"
                + Enum + @"\USB\Vid_303a&Pid_1001&MI_00\7&1234abcd&0&0000\Device Parameters]" + "\n\"PortName\"=\"COM6\"\n");
            Assert.Equal("AH02KLDA", ports.Single(p => p.PortName == "COM4").SerialNumber); // the serial ends in A; one letter is the channel
            Assert.Null(ports.Single(p => p.PortName == "COM5").SerialNumber);             // made up by Windows
            var esp = ports.Single(p => p.PortName == "COM6");
            Assert.Equal(("303a", "1001", "E072A1B2C3D4"), (esp.VendorId, esp.ProductId, esp.SerialNumber));
            Assert.True(esp.LooksLikeDetector);
        }

        // ---- macOS ----

        [Fact]
        public void MacListsCallOutDevicesWithUsbIdsFromIoreg()
        {
            var ports = Mac();
            Assert.Equal(new[] { "/dev/cu.Bluetooth-Incoming-Port", "/dev/cu.debug-console", "/dev/cu.usbserial-1410", "/dev/cu.usbserial-A50285BI" },
                ports.Select(p => p.PortName));
            var ch340 = ports.Single(p => p.PortName == "/dev/cu.usbserial-1410");
            Assert.Equal(("1a86", "7523", "USB Serial"), (ch340.VendorId, ch340.ProductId, ch340.Description));
            var ftdi = ports.Single(p => p.PortName == "/dev/cu.usbserial-A50285BI");
            Assert.Equal(("0403", "6001", "A50285BI", "FTDI"), (ftdi.VendorId, ftdi.ProductId, ftdi.SerialNumber, ftdi.Manufacturer));
            Assert.False(ports.Single(p => p.PortName.EndsWith("Bluetooth-Incoming-Port")).LooksLikeDetector);
            Assert.False(ports.Single(p => p.PortName.EndsWith("debug-console")).LooksLikeDetector);
        }

        [Fact]
        public void MacAutoNeverPicksBluetoothOrTheDebugConsole()
        {
            var withoutCables = Mac().Where(p => !p.PortName.EndsWith("A50285BI")).ToList();
            Assert.Equal("/dev/cu.usbserial-1410", DeviceLinks.ChooseDetector(withoutCables));
            var onlyBuiltIn = Mac().Where(p => !p.PortName.Contains("usbserial")).ToList();
            var ex = Assert.Throws<LinkOpenException>(() => DeviceLinks.ChooseDetector(onlyBuiltIn));
            Assert.Contains("no port looks like a detector", ex.Message);
            Assert.Contains("debug console", ex.Message);
        }

        // ---- auto on Linux, and the message with no port ----

        [Fact]
        public void AutoPicksTheOneDetectorLikePortAndListsWhatItFoundOtherwise()
        {
            AddPort("ttyUSB0", "2341", "0043", "Arduino Uno");
            AddPort("ttyACM3", "16c0", "0483", "Teensy");
            Assert.Equal("/dev/ttyUSB0", DeviceLinks.ChooseDetector(LinuxPorts.List(_root, NoLinks)));
            AddPort("ttyUSB1", "0403", "6001", "FT232R");
            var ex = Assert.Throws<LinkOpenException>(() => DeviceLinks.ChooseDetector(LinuxPorts.List(_root, NoLinks)));
            Assert.Contains("2 ports look like detectors", ex.Message);
            Assert.Contains("/dev/ttyUSB0 (Arduino Uno, 2341:0043", ex.Message);
            Assert.Contains("/dev/ttyACM3 (Teensy, 16c0:0483: USB 16c0:0483, a vendor no OSECHI board uses)", ex.Message);
        }

        [Fact]
        public void AutoWithNoPortSaysSo()
        {
            var ex = Assert.Throws<LinkOpenException>(() => DeviceLinks.ChooseDetector(Array.Empty<PortInfo>()));
            Assert.Contains("no port looks like a detector", ex.Message);
            Assert.Contains("no serial port at all", ex.Message);
        }

        // ---- one lock per device ----

        [Fact]
        public void AccessDeniedSaysWhatAppliesOnEachOs()
        {
            Assert.Contains("dialout", PortAccessDeniedException.Advice(HostPlatform.Linux, "/dev/ttyUSB0"));
            string mac = PortAccessDeniedException.Advice(HostPlatform.MacOS, "/dev/cu.usbserial-1410");
            Assert.DoesNotContain("dialout", mac); // a Linux group: macOS has none such for serial devices
            Assert.Contains("ls -l /dev/cu.usbserial-1410", mac);
            Assert.Contains("close any other program that holds the port", PortAccessDeniedException.Advice(HostPlatform.Windows, "COM3"));
        }

        [Fact]
        public void TheWindowsFixturesAreWhatRegExportWrites()
        {
            foreach (var name in new[] { "windows-laptop.reg", "windows-two-claims.reg" })
            {
                byte[] bytes = File.ReadAllBytes(Fixture(name));
                Assert.Equal(new byte[] { 0xFF, 0xFE }, bytes.Take(2)); // UTF-16LE with its byte-order mark
                string[] lines = System.Text.Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2).Split("\r\n");
                Assert.Equal("Windows Registry Editor Version 5.00", lines[0]);
                Assert.DoesNotContain(lines, l => l.StartsWith(";", StringComparison.Ordinal)); // reg export writes no comments
                Assert.Contains(lines, l => l.StartsWith("\"HardwareID\"=hex(7):", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.StartsWith("\"Driver\"=\"{4d36e978-e325-11ce-bfc1-08002be10318}\\\\", StringComparison.Ordinal));
            }
        }

        [Fact]
        public void WindowsNamesBothDevicesThatClaimOneComNumberAndAutoTakesAPortEitherOfTwoDetectorsOwns()
        {
            var ports = WindowsPorts.List(new RegFileSource(Fixture("windows-two-claims.reg")));
            Assert.Equal(new[] { "COM3", "COM6" }, ports.Select(p => p.PortName));
            var com3 = ports[0];
            Assert.Equal(2, com3.Claimants.Count);
            Assert.True(com3.LooksLikeDetector); // a CH340 or a CP210x: a detector whichever is plugged in
            Assert.Contains("claimed by 2 devices, and which is plugged in cannot be told", com3.Qualification);
            Assert.Contains("USB-SERIAL CH340 (COM3) (USB 1a86:7523 (QinHeng CH340)", com3.Qualification);
            Assert.Contains("Silicon Labs CP210x USB to UART Bridge (COM3) (USB 10c4:ea60 (Silicon Labs CP210x)", com3.Qualification);
            var com6 = ports[1];
            Assert.False(com6.LooksLikeDetector); // a CH340 or a Prolific cable: it may not be the detector
            Assert.Contains("Prolific USB-to-Serial Comm Port (COM6) (USB 067b:2303, a vendor no OSECHI board uses)", com6.Qualification);
            Assert.Equal("COM3", DeviceLinks.ChooseDetector(ports));
        }

        [Theory]
        [InlineData("COM3", "COM3")]
        [InlineData(@"\\.\COM3", "COM3")]
        [InlineData("com3", "COM3")]
        [InlineData(@"\\.\com12", "COM12")]
        [InlineData("COM10:", "COM10")]
        public void WindowsDeviceIsTheComNameSerialPortOpens(string name, string key) =>
            Assert.Equal(key, PortIdentity.Device(name, HostPlatform.Windows, NoLinks));

        [Fact]
        public void MacDeviceIsSharedByTheCallOutAndDialInDevices()
        {
            string cu = PortIdentity.Device("/dev/cu.usbserial-1410", HostPlatform.MacOS, NoLinks);
            Assert.Equal("/dev/cu.usbserial-1410", cu);
            Assert.Equal(cu, PortIdentity.Device("/dev/tty.usbserial-1410", HostPlatform.MacOS, NoLinks));
            Assert.NotEqual(cu, PortIdentity.Device("/dev/cu.usbserial-1420", HostPlatform.MacOS, NoLinks));
        }

        [Fact]
        public void LinuxDeviceIsTheResolvedPath()
        {
            string byId = "/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0";
            Func<string, string> resolve = p => p == byId ? "/dev/ttyUSB0" : p;
            Assert.Equal(PortIdentity.Device("/dev/ttyUSB0", HostPlatform.Linux, resolve), PortIdentity.Device(byId, HostPlatform.Linux, resolve));
        }

        [UnixFact]
        public void TwoNamesOfOneDeviceTakeOneLock()
        {
            // a symlink to a device, as /dev/serial/by-id is: opening both names must collide
            Directory.CreateDirectory(_root);
            string device = Path.Combine(_root, "ttyFAKE0");
            File.WriteAllText(device, "");
            string link = Path.Combine(_root, "by-id-fake");
            File.CreateSymbolicLink(link, device);
            using var first = DeviceLock.Take(PortIdentity.Device(device));
            var ex = Assert.Throws<DeviceLockException>(() => DeviceLock.Take(PortIdentity.Device(link)));
            Assert.Equal(DeviceLockFailure.Held, ex.Reason);
            // the lock is on the device itself: nothing was made beside it
            Assert.Equal(new[] { "by-id-fake", "ttyFAKE0" }, Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
            first!.Dispose();
            using var again = DeviceLock.Take(PortIdentity.Device(link)); // released with its descriptor
        }

        [UnixFact]
        public void AMissingDeviceIsNotFoundAndAnUnreadableOneIsNotHeld()
        {
            Directory.CreateDirectory(_root);
            var missing = Assert.Throws<DeviceLockException>(() => DeviceLock.Take(Path.Combine(_root, "ttyGONE")));
            Assert.Equal(DeviceLockFailure.NotFound, missing.Reason);
        }

        // ---- who else has a device open (/proc) ----

        private string FakeProcess(int pid, string name, bool haniwers, params (int fd, string target, string? fdinfo)[] files)
        {
            string folder = Path.Combine(_root, "proc", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(Path.Combine(folder, "fd"));
            Directory.CreateDirectory(Path.Combine(folder, "fdinfo"));
            File.WriteAllText(Path.Combine(folder, "comm"), name + "\n");
            File.WriteAllText(Path.Combine(folder, "maps"), haniwers
                ? "7f10 r--p 00000000 08:01 1234 /opt/microsoft/powershell/Modules/Haniwers/dependencies/Haniwers.Core.dll\n"
                : "7f10 r--p 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6\n");
            foreach (var (fd, target, fdinfo) in files)
            {
                string fdName = fd.ToString(System.Globalization.CultureInfo.InvariantCulture);
                File.CreateSymbolicLink(Path.Combine(folder, "fd", fdName), target);
                File.WriteAllText(Path.Combine(folder, "fdinfo", fdName), fdinfo ?? "pos:\t0\nflags:\t02\n");
            }
            return folder;
        }

        [UnixFact]
        public void TheHoldersOfADeviceAreFoundButNotThePseudoTerminalsOtherEnd()
        {
            FakeProcess(40, "socat", false, (5, "/dev/ptmx", "pos:\t0\nflags:\t02100002\ntty-index:\t3\n"), (6, "/dev/pts/3", null), (7, "/dev/ptmx", "tty-index:\t4\n"), (8, "/dev/pts/4", null));
            FakeProcess(41, "cat", false, (3, "/dev/pts/3", null));
            FakeProcess(42, "pwsh", true, (20, "/dev/pts/3", null), (21, "/dev/pts/3", null));
            FakeProcess(43, "bash", false, (0, "/dev/pts/0", null));
            string proc = Path.Combine(_root, "proc");
            var holders = DeviceHolders.Find("/dev/pts/3", proc, selfPid: 42, includeSelf: false);
            Assert.Equal(new[] { "process 41 (cat)" }, holders.Select(h => h.ToString()));
            var all = DeviceHolders.Find("/dev/pts/3", proc, selfPid: 42, includeSelf: true);
            Assert.Equal("a Haniwers session (process 42, pwsh) and process 41 (cat)", DeviceHolders.Describe(all));
            // socat holds pts/4's master: the far end of the pty, not a holder; nobody else has it
            Assert.Empty(DeviceHolders.Find("/dev/pts/4", proc, selfPid: 42, includeSelf: true));
            // a device that is no pty: every open counts
            FakeProcess(44, "minicom", false, (4, "/dev/ttyUSB0", null));
            Assert.Equal(new[] { 44 }, DeviceHolders.Find("/dev/ttyUSB0", proc, selfPid: 42, includeSelf: false).Select(h => h.ProcessId));
        }

        [Fact]
        public void OnMacOSTheHoldersAreWhatLsofNames()
        {
            // `lsof -w -F pc -- /dev/cu.usbserial-1410` with screen and this session holding the device
            string output = "p512\ncscreen\np4242\ncpwsh\n";
            Assert.Equal(new[] { "process 512 (screen)" }, DeviceHolders.FromLsof(output, selfPid: 4242, includeSelf: false).Select(h => h.ToString()));
            Assert.Equal(2, DeviceHolders.FromLsof(output, selfPid: 4242, includeSelf: true).Count);
            Assert.Empty(DeviceHolders.FromLsof(null, selfPid: 4242, includeSelf: true)); // no lsof: none found
        }

        [Fact]
        public void OnlyTerminalsAreDevicesToCompeteFor()
        {
            string ttyClass = Path.Combine(_root, "sys-class-tty");
            Directory.CreateDirectory(Path.Combine(ttyClass, "ttyUSB0"));
            Assert.True(DeviceHolders.IsTerminal("/dev/ttyUSB0", ttyClass));
            Assert.True(DeviceHolders.IsTerminal("/dev/pts/3", ttyClass));
            Assert.False(DeviceHolders.IsTerminal("/dev/null", ttyClass)); // open in every process, and no port
            Assert.False(DeviceHolders.IsTerminal("/home/lab/ttyUSB0", ttyClass));
        }

        // ---- every type loads on this host ----

        [Fact]
        public void EveryPublicTypeLoadsAndEveryReaderRunsWhateverTheHost()
        {
            var assembly = typeof(PortCatalog).Assembly;
            foreach (var type in assembly.GetExportedTypes())
            {
                System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(type.TypeHandle); // no DllNotFound, no EntryPointNotFound
            }
            Assert.NotEmpty(Windows());
            Assert.NotEmpty(Mac());
            Assert.NotNull(PortCatalog.List()); // this host's own reader, behind its guard
        }

        public void Dispose()
        {
            try { Directory.Delete(_root, true); } catch (IOException) { }
        }
    }
}
